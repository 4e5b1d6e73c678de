package io.kickoff.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SegmentMixTest {

    @Test
    void weightsSpreadDevicesInARepeatingPatternSoEveryPrefixHasTheMix() {
        SegmentMix mix = SegmentMix.parse("us-en-adult=2, br-pt-adult");
        assertThat(mix.names()).containsExactly("us-en-adult", "br-pt-adult");
        assertThat(mix.segmentOf(0)).isEqualTo("us-en-adult");
        assertThat(mix.segmentOf(1)).isEqualTo("us-en-adult");
        assertThat(mix.segmentOf(2)).isEqualTo("br-pt-adult");
        assertThat(mix.segmentOf(3)).isEqualTo("us-en-adult");
        assertThat(mix.countsOfFirst(6)).containsExactly(Map.entry("us-en-adult", 4L), Map.entry("br-pt-adult", 2L));
        assertThat(mix.countsOfFirst(1)).containsExactly(Map.entry("us-en-adult", 1L), Map.entry("br-pt-adult", 0L));
        assertThat(mix).hasToString("us-en-adult=2,br-pt-adult=1");
    }

    @Test
    void aSingleSegmentTakesEveryDevice() {
        SegmentMix mix = SegmentMix.parse("us-en");
        assertThat(mix.countsOfFirst(5)).containsExactly(Map.entry("us-en", 5L));
    }

    @Test
    void unreadableMixesAreRefusedNamingWhatIsWrong() {
        assertThatThrownBy(() -> SegmentMix.parse("a=0")).hasMessageContaining("weight of segment 'a'");
        assertThatThrownBy(() -> SegmentMix.parse("a=x")).hasMessageContaining("weight of segment 'a'");
        assertThatThrownBy(() -> SegmentMix.parse("a=101")).hasMessageContaining("from 1 to 100");
        assertThatThrownBy(() -> SegmentMix.parse("a,,b")).hasMessageContaining("empty segment");
        assertThatThrownBy(() -> SegmentMix.parse("=3")).hasMessageContaining("without a segment name");
        assertThatThrownBy(() -> SegmentMix.parse("a,b=2,a")).hasMessageContaining("'a' named twice");
    }
}
