package io.kickoff.audience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/** The topics the audience needs, as they are created. */
class AudienceTopicsTest {
    @Test
    void theOutputsAreCompactedExceptTheSeriesWhichIsKeptByTime() {
        Map<String, NewTopic> topics = new AudienceTopics(6, (short) 3, Duration.ofHours(2)).newTopics().stream()
                .collect(Collectors.toMap(NewTopic::name, t -> t));

        assertThat(topics).containsOnlyKeys("kickoff.viewing", "kickoff.stages", "kickoff.audience",
                "kickoff.audience.series", "kickoff.audience.accounts");
        assertThat(topics.values()).allSatisfy(t -> {
            assertThat(t.numPartitions()).isEqualTo(6);
            assertThat(t.replicationFactor()).isEqualTo((short) 3);
        });
        for (String compacted : new String[] {"kickoff.stages", "kickoff.audience", "kickoff.audience.accounts"}) {
            assertThat(topics.get(compacted).configs()).containsEntry("cleanup.policy", "compact");
        }
        assertThat(topics.get("kickoff.audience.series").configs())
                .containsEntry("cleanup.policy", "delete").containsEntry("retention.ms", "7200000");
        assertThat(topics.get("kickoff.viewing").configs()).isNullOrEmpty();
    }

    @Test
    void refusesNoPartitionsAndASeriesShorterThanTheHourItServes() {
        assertThatThrownBy(() -> new AudienceTopics(0, (short) 1, Duration.ofHours(2)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AudienceTopics(6, (short) 1, Duration.ofMinutes(30)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hour");
    }
}
