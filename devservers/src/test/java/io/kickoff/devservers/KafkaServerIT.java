package io.kickoff.devservers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker's settings for a person's broker: a fixed port. (That it comes back from its data
 * directory with its records is checked in testkit's {@code TestKafkaIT}, beside the record helpers.)
 */
class KafkaServerIT {

    @Test
    void aPortGivenToTheBuilderIsTheBootstrapPort(@TempDir Path dataDir) {
        int port = ChildProcess.freePort();
        try (KafkaServer fixed = KafkaServer.builder().port(port).dataDir(dataDir).build()) {
            fixed.start();
            assertThat(fixed.bootstrapServers()).isEqualTo("127.0.0.1:" + port);
        }
        assertThatThrownBy(() -> KafkaServer.builder().port(70_000)).isInstanceOf(IllegalArgumentException.class);
    }
}
