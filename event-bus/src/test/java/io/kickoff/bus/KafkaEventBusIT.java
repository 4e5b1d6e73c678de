package io.kickoff.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.testkit.TestKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class KafkaEventBusIT extends EventBusContract {

    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    @Override
    protected EventBus newBus() {
        return new KafkaEventBus(KafkaBusConfig.of(kafka.bootstrapServers()).withPartitions(3));
    }

    /** A topic the bus creates gets its compaction and its retention, so a reader from the beginning reads that much. */
    @Test
    void topicsAreCreatedCompactedOrWithTheirRetention() throws Exception {
        Topic series = new Topic("retention-" + UUID.randomUUID(), false, Duration.ofHours(2));
        Topic latest = new Topic("compacted-" + UUID.randomUUID(), true);
        try (EventBus bus = newBus()) {
            bus.publish(series, "k", new byte[] {1}).join();
            bus.publish(latest, "k", new byte[] {1}).join();
        }
        try (Admin admin = Admin.create(Map.<String, Object>of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            ConfigResource seriesResource = new ConfigResource(ConfigResource.Type.TOPIC, series.name());
            ConfigResource latestResource = new ConfigResource(ConfigResource.Type.TOPIC, latest.name());
            Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(seriesResource, latestResource)).all()
                    .get(30, TimeUnit.SECONDS);
            assertThat(configs.get(seriesResource).get(TopicConfig.RETENTION_MS_CONFIG).value())
                    .isEqualTo(Long.toString(Duration.ofHours(2).toMillis()));
            assertThat(configs.get(seriesResource).get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo("delete");
            assertThat(configs.get(latestResource).get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo("compact");
            assertThat(configs.get(latestResource).get(TopicConfig.RETENTION_MS_CONFIG).isDefault()).isTrue();
        }
    }

    @Test
    void theAudienceSeriesIsKeptTwoHoursAndATopicCannotKeepForANegativeTime() {
        assertThat(Topic.AUDIENCE_SERIES.retention()).isEqualTo(Duration.ofHours(2));
        assertThat(Topic.STAGES.retention()).isZero();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Topic("t", false, Duration.ofSeconds(-1)))
                .hasMessageContaining("retention must not be negative");
    }
}
