package io.kickoff.lsm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kickoff.bus.InProcessEventBus;
import io.kickoff.bus.Topic;
import io.kickoff.lsm.audience.AudienceMetrics;
import io.kickoff.lsm.audience.AudienceRecords;
import io.kickoff.lsm.api.AdminToken;
import io.kickoff.lsm.event.InMemoryEventStore;
import io.kickoff.lsm.event.NewEvent;
import io.kickoff.lsm.event.Schedule;
import io.kickoff.lsm.idempotency.InMemoryIdempotency;
import io.kickoff.lsm.store.InMemoryLeaderLease;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.testkit.MetricsExposition;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Live State Manager's {@code /metrics}: format and naming rules, every fixed series at zero at start, the outbox's meters moving. */
class LiveStateManagerMetricsTest {
    final Clock clock = Clock.systemUTC();
    final InMemoryLeaderLease lease = new InMemoryLeaderLease(clock);
    final InMemoryEventStore store = new InMemoryEventStore(clock, lease::currentEpoch);
    final InProcessEventBus bus = new InProcessEventBus();
    LiveStateManager lsm;

    @BeforeEach
    void start() throws Exception {
        lsm = LiveStateManager.start(LiveStateManager.Config.of("127.0.0.1", 0,
                        Map.of("operator-token-0123456789", AdminToken.operator("test")), "lsm-metrics"),
                store, new InMemoryIdempotency(clock), lease, bus, clock);
    }

    @AfterEach
    void stop() {
        lsm.close();
        bus.close();
    }

    String scrape() throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + lsm.adminPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        return answer.body();
    }

    @Test
    void theRealEndpointPassesTheFormatAndNamingRulesWithEveryFixedSeriesAtZeroBeforeAnyTraffic() throws Exception {
        await().until(lsm::isLeader);
        String text = scrape();
        MetricsExposition metrics = MetricsExposition.checked(text);

        for (String counter : List.of("kickoff_lsm_stage_updates_total", "kickoff_lsm_outbox_published_total",
                "kickoff_lsm_outbox_relay_failures_total", "kickoff_lsm_outbox_relay_lag_seconds_count")) {
            assertThat(metrics.value(counter, "node", "lsm-metrics")).as(counter).isZero();
        }
        assertThat(metrics.value("kickoff_lsm_leader")).isEqualTo(1);
        assertThat(metrics.value("kickoff_lsm_bus_reachable")).isEqualTo(1);
        assertThat(metrics.value("kickoff_lsm_outbox_depth")).isZero();
        assertThat(metrics.value("kickoff_lsm_outbox_oldest_age_seconds")).isZero();
        assertThat(metrics.value("kickoff_lsm_delivery_reporting_nodes")).isZero();
        // Every route's latency histogram exists before its first request (the probe read above has answered by now).
        for (String[] route : new String[][]{{"GET", "/v1/events"}, {"POST", "/v1/events"}, {"PATCH", "/v1/events/{id}"},
                {"POST", "/v1/events/{id}/transitions"}, {"GET", "/v1/events/{id}/delivery"}}) {
            assertThat(metrics.value("kickoff_lsm_api_requests_seconds_bucket", "method", route[0], "route", route[1], "le", "+Inf"))
                    .as(route[0] + " " + route[1]).isZero();
        }
        assertThat(metrics.families().get("kickoff_lsm_api_requests_seconds").type()).isEqualTo("histogram");
        assertThat(metrics.value("kickoff_build_info", "node", "lsm-metrics")).isEqualTo(1);
        assertThat(metrics.sampleNames()).contains("jvm_memory_used_bytes", "process_cpu_seconds_total", "process_files_open_files",
                "netty_allocator_memory_used_bytes");
    }

    @Test
    void aCommittedUpdateIsCountedRelayedAndItsTimeInTheOutboxRecorded() throws Exception {
        await().until(lsm::isLeader);
        lsm.events().create(new NewEvent("final", "The Final", "", List.of(), new Schedule(Instant.now().plus(Duration.ofHours(2)),
                null, Duration.ofMinutes(30), Duration.ofMinutes(5), false)), "test").join();
        lsm.events().transition("final", Stage.PREFETCH, null, "op").join();
        await().until(() -> lsm.relayed() == 1);

        scrape(); // counted once answered: the next scrape shows it
        MetricsExposition metrics = MetricsExposition.parse(scrape());
        assertThat(metrics.problems()).isEmpty();
        assertThat(metrics.value("kickoff_lsm_stage_updates_total")).isEqualTo(1);
        assertThat(metrics.value("kickoff_lsm_outbox_published_total")).isEqualTo(1);
        assertThat(metrics.value("kickoff_lsm_outbox_relay_lag_seconds_count")).isEqualTo(1);
        assertThat(metrics.value("kickoff_lsm_outbox_relay_lag_seconds_bucket", "le", "+Inf")).isEqualTo(1);
        assertThat(metrics.value("kickoff_lsm_api_responses_total", "method", "GET", "route", "/metrics", "status", "200"))
                .isEqualTo(1);
    }

    @Test
    void theAudienceOfRunningEventsIsExposedPerSegmentWithThePlaysOfTheirLatestBroadcastAndEndedEventsLeave() throws Exception {
        Instant now = Instant.now();
        bus.publish(Topic.STAGES, "final", AudienceRecords.stage("final", Stage.LIVE, 2)).join();
        bus.publish(Topic.STAGES, "over", AudienceRecords.stage("over", Stage.LIVE, 2)).join();
        bus.publish(Topic.AUDIENCE, "final", AudienceRecords.snapshot("final", now, 812,
                Map.of("us-en", 500L, "uk-en", 300L, "", 12L), 2, Stage.LIVE, now.minusSeconds(30), 790)).join();
        bus.publish(Topic.AUDIENCE, "over", AudienceRecords.snapshot("over", now, 5, Map.of("us-en", 5L))).join();
        // a device-made event id the platform never scheduled: not exposed
        bus.publish(Topic.AUDIENCE, "made-up", AudienceRecords.snapshot("made-up", now, 9, Map.of("us-en", 9L))).join();

        await().untilAsserted(() -> {
            MetricsExposition metrics = MetricsExposition.checked(scrape());
            assertThat(metrics.value("kickoff_audience_viewers", "event", "final", "segment", "us-en")).isEqualTo(500);
            assertThat(metrics.value("kickoff_audience_viewers", "event", "final", "segment", "uk-en")).isEqualTo(300);
            assertThat(metrics.value("kickoff_audience_viewers", "event", "final", "segment", AudienceMetrics.NO_SEGMENT))
                    .isEqualTo(12);
            assertThat(metrics.value("kickoff_audience_plays", "event", "final", "seq", "2", "stage", "LIVE")).isEqualTo(790);
            assertThat(metrics.value("kickoff_audience_viewers", "event", "over")).isEqualTo(5);
            assertThat(metrics.value("kickoff_audience_viewers", "event", "made-up")).isNull();
            assertThat(metrics.families().get("kickoff_audience_viewers").type()).isEqualTo("gauge");
        });

        // A newer snapshot moves the figures; the event that ended leaves.
        bus.publish(Topic.AUDIENCE, "final", AudienceRecords.snapshot("final", now.plusSeconds(1), 820,
                Map.of("us-en", 520L, "uk-en", 300L), 2, Stage.LIVE, now.minusSeconds(30), 800)).join();
        bus.publish(Topic.STAGES, "over", AudienceRecords.stage("over", Stage.ENDED, 3)).join();
        await().untilAsserted(() -> {
            MetricsExposition metrics = MetricsExposition.checked(scrape());
            assertThat(metrics.value("kickoff_audience_viewers", "event", "final", "segment", "us-en")).isEqualTo(520);
            assertThat(metrics.value("kickoff_audience_viewers", "event", "final", "segment", AudienceMetrics.NO_SEGMENT))
                    .isNull();
            assertThat(metrics.value("kickoff_audience_plays", "event", "final")).isEqualTo(800);
            assertThat(metrics.value("kickoff_audience_viewers", "event", "over")).isNull();
            assertThat(metrics.value("kickoff_audience_plays", "event", "over")).isNull();
        });
    }

    @Test
    void withoutAnAudienceSourceThereAreNoAudienceSeriesAndTheEndpointSays503() throws Exception {
        lsm.close();
        lsm = LiveStateManager.start(LiveStateManager.Config.of("127.0.0.1", 0,
                        Map.of("operator-token-0123456789", AdminToken.operator("test")), "lsm-metrics").withoutAudience(),
                new InMemoryEventStore(clock), new InMemoryIdempotency(clock), new InMemoryLeaderLease(clock), bus, clock);
        Instant now = Instant.now();
        bus.publish(Topic.STAGES, "final", AudienceRecords.stage("final", Stage.LIVE, 2)).join();
        bus.publish(Topic.AUDIENCE, "final", AudienceRecords.snapshot("final", now, 812, Map.of("us-en", 812L))).join();

        MetricsExposition metrics = MetricsExposition.checked(scrape());
        assertThat(metrics.has("kickoff_audience_viewers")).isFalse();
        HttpResponse<String> answer = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + lsm.adminPort() + "/v1/events/final/audience"))
                        .header("Authorization", "Bearer operator-token-0123456789").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(answer.body()).contains("audience-unavailable");
    }
}
