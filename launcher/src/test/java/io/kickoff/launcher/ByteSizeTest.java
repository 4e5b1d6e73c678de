package io.kickoff.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ByteSizeTest {
    @Test
    void readsBytesAndBinaryUnits() {
        assertThat(ByteSize.parse("512").bytes()).isEqualTo(512);
        assertThat(ByteSize.parse("64KiB").bytes()).isEqualTo(65_536);
        assertThat(ByteSize.parse("64kb").bytes()).isEqualTo(65_536);
        assertThat(ByteSize.parse("1 MiB").bytes()).isEqualTo(1 << 20);
        assertThat(ByteSize.parse("2G").bytes()).isEqualTo(2L << 30);
    }

    @Test
    void refusesOtherTextSayingWhatToWrite() {
        for (String bad : new String[] {"", "KiB", "1.5MiB", "-1", "12 parsecs"}) {
            assertThatThrownBy(() -> ByteSize.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("e.g. 512, 64KiB");
        }
    }

    @Test
    void printsTheLargestExactUnitAndRefusesIntsThatDoNotFit() {
        assertThat(new ByteSize(65_536)).hasToString("64KiB");
        assertThat(new ByteSize(1_000)).hasToString("1000");
        assertThat(ByteSize.parse(new ByteSize(3L << 20).toString()).bytes()).isEqualTo(3L << 20);
        assertThatThrownBy(() -> ByteSize.parse("4GiB").asInt("--max-frame-size"))
                .hasMessageContaining("--max-frame-size is at most 2GiB");
    }
}
