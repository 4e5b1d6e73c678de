package io.kickoff.audience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.InvalidProtocolBufferException;
import io.kickoff.bus.EventBus;
import io.kickoff.bus.KafkaBusConfig;
import io.kickoff.bus.KafkaEventBus;
import io.kickoff.bus.StartFrom;
import io.kickoff.bus.Topic;
import io.kickoff.http.NodeMeters;
import io.kickoff.protocol.v1.AudienceSnapshot;
import io.kickoff.protocol.v1.PlaybackState;
import io.kickoff.protocol.v1.Viewing;
import io.kickoff.testkit.MetricsExposition;
import io.kickoff.testkit.TestKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The topology on a real broker, exactly-once: signals in, snapshots out. */
class AudienceServiceIT {
    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    @TempDir
    Path stateDir;

    @Test
    void devicesPlayingAndStoppingOnARealBrokerMakeTheAudience() throws Exception {
        assertThat(new AudienceTopics(3, (short) 1, Duration.ofHours(2)).ensure(kafka.bootstrapServers(), Map.of(),
                Duration.ofSeconds(30))).hasSize(5);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            ConfigResource series = new ConfigResource(ConfigResource.Type.TOPIC, Topic.AUDIENCE_SERIES.name());
            assertThat(admin.describeConfigs(List.of(series)).all().get(30, TimeUnit.SECONDS).get(series)
                    .get("retention.ms").value()).isEqualTo("7200000");
        }
        // A second instance finds them there.
        assertThat(new AudienceTopics(3, (short) 1, Duration.ofHours(2)).ensure(kafka.bootstrapServers(), Map.of(),
                Duration.ofSeconds(30))).isEmpty();
        EventBus bus = new KafkaEventBus(KafkaBusConfig.of(kafka.bootstrapServers()).withPartitions(3));
        Map<String, AudienceSnapshot> latest = new ConcurrentHashMap<>();
        var snapshots = bus.subscribe(Topic.AUDIENCE, StartFrom.BEGINNING, record -> {
            try {
                latest.put(record.key(), AudienceSnapshot.parseFrom(record.value()));
            } catch (InvalidProtocolBufferException e) {
                throw new AssertionError(e);
            }
        });
        try (AudienceService service = new AudienceService(AudienceSettings.defaults(),
                new AudienceStreamsConfig("audience-it", kafka.bootstrapServers(), stateDir, 1, 0))) {
            service.start();
            NodeMeters meters = NodeMeters.forNode("audience-it");
            service.bindMetrics(meters.registry());
            StreamsMeters streamsMeters = service.streamsMeters("audience-it");
            await().atMost(Duration.ofSeconds(60)).until(service::isReady);
            // Its own readiness gauge and Kafka Streams' metrics, under the platform's exposition rules.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(meters.scrape() + streamsMeters.scrape())
                    .contains("kickoff_audience_ready{node=\"audience-it\"} 1", "kafka_stream_thread_process_total{",
                            "kafka_consumer_connections{"));
            assertThat(MetricsExposition.parse(meters.scrape() + streamsMeters.scrape()).problems()).isEmpty();

            for (String device : List.of("tv-1", "tv-2", "phone-3")) {
                bus.publish(Topic.VIEWING, device, viewing(device, PlaybackState.PLAYING, device.startsWith("tv") ? "us-en" : "uk-en"))
                        .get(30, TimeUnit.SECONDS);
            }
            bus.publish(Topic.VIEWING, "tv-1", viewing("tv-1", PlaybackState.PLAYING, "us-en")).get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(60)).until(() -> viewers(latest) == 3);
            assertThat(latest.get("final-2026").getSegmentsMap()).containsOnly(Map.entry("us-en", 2L), Map.entry("uk-en", 1L));

            bus.publish(Topic.VIEWING, "tv-2", viewing("tv-2", PlaybackState.STOPPED, "us-en")).get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(60)).until(() -> viewers(latest) == 2);
        } finally {
            snapshots.close();
            bus.close();
        }
    }

    private static long viewers(Map<String, AudienceSnapshot> latest) {
        return latest.getOrDefault("final-2026", AudienceSnapshot.getDefaultInstance()).getViewers();
    }

    static byte[] viewing(String device, PlaybackState state, String segment) {
        return Viewing.newBuilder().setEventId("final-2026").setState(state).setDeviceId(device).setSegment(segment)
                .setSessionId("s-" + device).setAt(EventAudience.timestamp(System.currentTimeMillis())).build().toByteArray();
    }
}
