package io.kickoff.lsm.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kickoff.bus.KafkaBusConfig;
import io.kickoff.bus.KafkaEventBus;
import io.kickoff.bus.Topic;
import io.kickoff.lsm.LiveStateManager;
import io.kickoff.lsm.audience.AudienceRecords;
import io.kickoff.lsm.client.AdminClient;
import io.kickoff.lsm.client.AudienceAnswer;
import io.kickoff.lsm.client.NewEventRequest;
import io.kickoff.lsm.testing.TestLiveStateManagers;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.testkit.MetricsExposition;
import io.kickoff.testkit.TestKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The audience endpoint on a real Kafka: snapshots published on {@code kickoff.audience} and
 * {@code kickoff.audience.series}, as the audience service publishes them, before and after the Live State Manager
 * starts, are read back through the admin API (and {@code /metrics}) until they converge.
 */
class AudienceOnKafkaIT {
    static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    static final TestKafka kafka = new TestKafka();
    @RegisterExtension
    final TestLiveStateManagers lsms = new TestLiveStateManagers();

    final Clock clock = Clock.systemUTC();

    @Test
    void snapshotsPublishedBeforeAndAfterTheStartConvergeInTheApiAndTheMetrics() throws Exception {
        kafka.start();
        String event = "aud-" + UUID.randomUUID().toString().substring(0, 8);
        KafkaEventBus service = lsms.closeAfter(new KafkaEventBus(KafkaBusConfig.of(kafka.bootstrapServers())
                .withClientId("audience-service")));
        Instant start = clock.instant().truncatedTo(ChronoUnit.SECONDS).minusSeconds(10);
        // Before the Live State Manager runs: the compacted latest and the first points of the series.
        for (int s = 0; s < 5; s++) {
            service.publish(Topic.AUDIENCE_SERIES, event, AudienceRecords.snapshot(event, start.plusSeconds(s), 10L * s,
                    Map.of("us-en", 10L * s))).join();
        }
        service.publish(Topic.AUDIENCE, event, AudienceRecords.snapshot(event, start.plusSeconds(4), 40,
                Map.of("us-en", 40L))).join();

        KafkaEventBus bus = lsms.closeAfter(new KafkaEventBus(KafkaBusConfig.of(kafka.bootstrapServers()).withClientId("lsm")));
        LiveStateManager lsm = TestLiveStateManagers.leading(lsms.start("lsm-audience", lsms.inMemory(clock), bus, clock,
                c -> c.withRelayGroup("audience-it-" + event), io.kickoff.lsm.schedule.OutboxRelay.BeforePublish.NONE));
        AdminClient operator = TestLiveStateManagers.admin(lsm);
        AdminClient viewer = TestLiveStateManagers.admin(lsm, TestLiveStateManagers.VIEWER);
        operator.createEvent(NewEventRequest.of(event, "The Final", clock.instant().plus(Duration.ofHours(2)))
                .withSegments(List.of("us-en")));

        // What was there before the start is read from the beginning.
        await().atMost(WAIT).until(() -> viewer.audience(event).series().size() == 5);
        AudienceAnswer before = viewer.audience(event);
        assertThat(before.asOf()).contains(start.plusSeconds(4));
        assertThat(before.viewers()).isEqualTo(40);
        assertThat(before.series()).extracting(AudienceAnswer.Point::viewers).containsExactly(0L, 10L, 20L, 30L, 40L);

        // LIVE goes out on the bus; the audience service answers with plays and a rising audience.
        operator.transition(event, Stage.PREFETCH);
        operator.transition(event, Stage.LIVE);
        Instant issued = start.plusSeconds(5);
        for (int s = 5; s < 10; s++) {
            byte[] snapshot = AudienceRecords.snapshot(event, start.plusSeconds(s), 100L * s,
                    Map.of("us-en", 60L * s, "uk-en", 40L * s), 2, Stage.LIVE, issued, 90L * s);
            service.publish(Topic.AUDIENCE_SERIES, event, snapshot).join();
            service.publish(Topic.AUDIENCE, event, snapshot).join();
        }

        await().atMost(WAIT).until(() -> viewer.audience(event).viewers() == 900);
        AudienceAnswer after = viewer.audience(event);
        assertThat(after.asOf()).contains(start.plusSeconds(9));
        assertThat(after.segments()).containsExactly(Map.entry("uk-en", 360L), Map.entry("us-en", 540L));
        assertThat(after.lastBroadcast()).contains(new AudienceAnswer.Broadcast(2, "LIVE", issued, 810, Duration.ofSeconds(60)));
        assertThat(after.series()).hasSize(10);
        assertThat(after.series()).extracting(AudienceAnswer.Point::t).isSorted();
        assertThat(viewer.audience(event, start.plusSeconds(8)).series()).extracting(AudienceAnswer.Point::viewers)
                .containsExactly(800L, 900L);

        // The event is known (its stage updates are on the bus) and LIVE: its audience is on /metrics.
        await().atMost(WAIT).untilAsserted(() -> {
            MetricsExposition metrics = MetricsExposition.parse(HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + lsm.adminPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertThat(metrics.value("kickoff_audience_viewers", "event", event, "segment", "us-en")).isEqualTo(540);
            assertThat(metrics.value("kickoff_audience_plays", "event", event, "seq", "2")).isEqualTo(810);
        });
    }
}
