package io.kickoff.audience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class AudienceSettingsTest {

    @Test
    void aDeviceIsGoneAfterTheHeartbeatsItMayMiss() {
        assertThat(AudienceSettings.defaults().goneAfterMs()).isEqualTo(20_000);
        assertThat(AudienceSettings.defaults().withHeartbeatInterval(Duration.ofSeconds(5)).goneAfterMs()).isEqualTo(10_000);
    }

    @Test
    void refusesSettingsThatCannotCount() {
        AudienceSettings d = AudienceSettings.defaults();
        assertThatThrownBy(() -> d.withHeartbeatInterval(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withPlayWindow(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AudienceSettings(Duration.ofSeconds(10), 0, Duration.ofSeconds(60), Duration.ofSeconds(1),
                Duration.ofMinutes(15))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withPlayWindow(Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("playRetention");
    }

    @Test
    void instancesProcessExactlyOnce() {
        var props = new AudienceStreamsConfig("kickoff-audience", "localhost:9092", Path.of("/var/lib/kickoff"), 3, 1)
                .properties();
        assertThat(props).containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2)
                .containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "kickoff-audience")
                .containsEntry(StreamsConfig.REPLICATION_FACTOR_CONFIG, 3)
                .containsEntry(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 1);
    }

    @Test
    void clientSettingsReachEveryClientButCannotTurnExactlyOnceOff() {
        var props = new AudienceStreamsConfig("kickoff-audience", "localhost:9092", Path.of("/var/lib/kickoff"), 3, 1)
                .withClientConfig(Map.of("security.protocol", "SASL_SSL",
                        StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE))
                .properties();
        assertThat(props).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    }
}
