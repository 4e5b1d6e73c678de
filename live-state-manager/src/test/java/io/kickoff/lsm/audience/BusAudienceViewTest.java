package io.kickoff.lsm.audience;

import static io.kickoff.lsm.audience.AudienceRecords.snapshot;
import static io.kickoff.lsm.audience.AudienceRecords.stage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kickoff.bus.BusRecord;
import io.kickoff.bus.InProcessEventBus;
import io.kickoff.bus.Topic;
import io.kickoff.protocol.v1.AudienceSnapshot;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The audience view fed from the in-process bus: latest and series, ordering, since, bounds and forgetting. */
class BusAudienceViewTest {
    static final Instant T0 = Instant.parse("2026-12-01T20:00:00Z");

    final MutableClock clock = new MutableClock(T0);
    final InProcessEventBus bus = new InProcessEventBus();
    BusAudienceView view = BusAudienceView.subscribe(bus, clock);

    @AfterEach
    void close() {
        view.close();
        bus.close();
    }

    void series(String event, Instant at, long viewers, Map<String, Long> segments) {
        bus.publish(Topic.AUDIENCE_SERIES, event, snapshot(event, at, viewers, segments)).join();
    }

    EventAudience settled(String event, int points) {
        await().until(() -> view.of(event, Optional.empty()).series().size() == points);
        return view.of(event, Optional.empty());
    }

    @Test
    void theLatestSnapshotComesFromTheCompactedTopicAndTheSeriesIsOnePointPerSecondOldestFirst() {
        assertThat(view.available()).isTrue();
        assertThat(view.of("final", Optional.empty())).isEqualTo(new EventAudience("final", Optional.empty(), List.of()));

        for (int s = 0; s < 5; s++) {
            series("final", T0.minusSeconds(5 - s), 100 + s, Map.of("us-en", 60L + s, "uk-en", 40L));
        }
        bus.publish(Topic.AUDIENCE, "final", snapshot("final", T0, 812, Map.of("us-en", 500L, "uk-en", 312L),
                2, Stage.LIVE, T0.minusSeconds(30), 790)).join();
        await().until(() -> view.of("final", Optional.empty()).latest().map(s -> s.viewers() == 812).orElse(false));

        EventAudience audience = settled("final", 5);
        EventAudience.Snapshot latest = audience.latest().orElseThrow();
        assertThat(latest.at()).isEqualTo(T0);
        assertThat(latest.segments()).containsExactly(Map.entry("uk-en", 312L), Map.entry("us-en", 500L));
        assertThat(latest.lastBroadcast()).contains(new EventAudience.BroadcastPlays(2, Stage.LIVE, T0.minusSeconds(30), 790,
                Duration.ofSeconds(60)));
        assertThat(audience.series()).extracting(EventAudience.Point::viewers).containsExactly(100L, 101L, 102L, 103L, 104L);
        assertThat(audience.series().get(4)).isEqualTo(new EventAudience.Point(T0.minusSeconds(1), 104,
                new java.util.TreeMap<>(Map.of("us-en", 64L, "uk-en", 40L))));
    }

    @Test
    void pointsArrivingOutOfOrderAreShownInTimeOrderAndASecondKeepsItsNewestSnapshot() {
        series("final", T0.minusSeconds(1), 3, Map.of());
        series("final", T0.minusSeconds(3), 1, Map.of());
        series("final", T0.minusSeconds(2), 2, Map.of());
        series("final", T0.minusSeconds(2).plusMillis(500), 22, Map.of()); // later in the same second: replaces it
        series("final", T0.minusSeconds(2).plusMillis(100), 99, Map.of()); // earlier in that second than what it holds
        await().until(() -> view.of("final", Optional.empty()).series().stream().anyMatch(p -> p.viewers() == 22));
        bus.publish(Topic.AUDIENCE_SERIES, "final", snapshot("final", T0.minusSeconds(4), 0, Map.of())).join();

        EventAudience audience = settled("final", 4);

        assertThat(audience.series()).extracting(EventAudience.Point::viewers).containsExactly(0L, 1L, 22L, 3L);
        // the latest is the newest by time, whatever order the records came in
        assertThat(audience.latest().orElseThrow().at()).isEqualTo(T0.minusSeconds(1));
    }

    @Test
    void sinceNarrowsTheSeriesToPointsAtOrAfterIt() {
        for (int s = 10; s >= 1; s--) {
            series("final", T0.minusSeconds(s), s, Map.of());
        }
        settled("final", 10);

        assertThat(view.of("final", Optional.of(T0.minusSeconds(3))).series()).extracting(EventAudience.Point::viewers)
                .containsExactly(3L, 2L, 1L);
        assertThat(view.of("final", Optional.of(T0))).extracting(EventAudience::series).asList().isEmpty();
        assertThat(view.of("final", Optional.of(T0.minus(Duration.ofDays(1)))).series()).hasSize(10);
    }

    @Test
    void theSeriesKeepsOneHourAtMost3600PointsAndForgetsAnEventAnHourAfterItsLastPoint() {
        // Two hours of points, one a second: only the last hour is held.
        clock.set(T0.plus(Duration.ofHours(2)));
        for (int s = 0; s < 7_200; s++) {
            view.onSeriesRecord(new BusRecord(Topic.AUDIENCE_SERIES, "final",
                    snapshot("final", T0.plusSeconds(s), s, Map.of("us-en", (long) s)), s));
        }
        List<EventAudience.Point> series = view.of("final", Optional.empty()).series();
        assertThat(series).hasSize(BusAudienceView.SERIES_POINTS);
        assertThat(series.get(0).at()).isEqualTo(T0.plusSeconds(7_200 - 3_600));
        assertThat(series.get(series.size() - 1).viewers()).isEqualTo(7_199);

        // The clock moves on: points leave the series as they get older than an hour, then the event goes.
        clock.advance(Duration.ofMinutes(30));
        assertThat(view.of("final", Optional.empty()).series()).hasSize(1_800);
        clock.advance(Duration.ofMinutes(30));
        assertThat(view.of("final", Optional.empty())).isEqualTo(new EventAudience("final", Optional.empty(), List.of()));
        assertThat(view.latest()).isEmpty();

        // A point already older than an hour is not taken at all.
        series("late", clock.instant().minus(Duration.ofMinutes(61)), 5, Map.of());
        bus.publish(Topic.AUDIENCE_SERIES, "fresh", snapshot("fresh", clock.instant(), 1, Map.of())).join();
        settled("fresh", 1);
        assertThat(view.of("late", Optional.empty()).latest()).isEmpty();
    }

    @Test
    void atMostMaxEventsAreKeptAndEventsThePlatformDoesNotKnowMakeRoomFirst() {
        int cap = BusAudienceView.MAX_EVENTS;
        bus.publish(Topic.STAGES, "real", stage("real", Stage.LIVE, 3)).join();
        // Device-made event ids fill the view...
        for (int i = 0; i < cap; i++) {
            series("junk-" + i, T0.minusSeconds(60).plusSeconds(i), 1, Map.of());
        }
        await().until(() -> view.latest().size() == cap);
        // ...a known event still gets in, in place of one of them.
        series("real", T0.minusSeconds(120), 7, Map.of());
        await().until(() -> view.of("real", Optional.empty()).latest().isPresent());
        assertThat(view.latest()).hasSize(cap);

        // Once every kept event is known, an unknown one cannot push one out.
        for (int i = 0; i < cap; i++) {
            bus.publish(Topic.STAGES, "junk-" + i, stage("junk-" + i, Stage.LIVE, 1)).join();
        }
        await().until(() -> view.running().size() == cap);
        series("newcomer", T0, 1, Map.of());
        bus.publish(Topic.AUDIENCE_SERIES, "junk-5", snapshot("junk-5", T0, 9, Map.of())).join();
        await().until(() -> view.of("junk-5", Optional.empty()).latest().orElseThrow().viewers() == 9);
        assertThat(view.of("newcomer", Optional.empty()).latest()).isEmpty();
        assertThat(view.latest()).hasSize(cap);
    }

    @Test
    void runningLeavesOutEventsThePlatformDoesNotKnowAndThoseThatEnded() {
        bus.publish(Topic.STAGES, "live", stage("live", Stage.LIVE, 3)).join();
        bus.publish(Topic.STAGES, "over", stage("over", Stage.ENDED, 4)).join();
        for (String event : List.of("live", "over", "stranger")) {
            bus.publish(Topic.AUDIENCE, event, snapshot(event, T0, 5, Map.of())).join();
        }
        await().until(() -> view.latest().size() == 3);
        await().untilAsserted(() -> assertThat(view.running()).extracting(EventAudience.Snapshot::eventId)
                .containsExactly("live"));
    }

    @Test
    void unreadableRecordsTombstonesAndSnapshotsWithoutATimeAreSkipped() {
        view.onSeriesRecord(new BusRecord(Topic.AUDIENCE_SERIES, "final", new byte[]{(byte) 0xff, 1, 2}, 0));
        view.onAudienceRecord(new BusRecord(Topic.AUDIENCE, "final",
                AudienceSnapshot.newBuilder().setEventId("final").setViewers(3).build().toByteArray(), 1));
        assertThat(view.latest()).isEmpty();

        view.onAudienceRecord(new BusRecord(Topic.AUDIENCE, "final", snapshot("final", T0, 4, Map.of()), 2));
        assertThat(view.of("final", Optional.empty()).latest()).isPresent();
        view.onAudienceRecord(new BusRecord(Topic.AUDIENCE, "final", null, 3));
        assertThat(view.of("final", Optional.empty()).latest()).isEmpty();
    }

    @Test
    void theUnavailableViewSaysSoAndKnowsNothing() {
        UnavailableAudienceView none = new UnavailableAudienceView();
        assertThat(none.available()).isFalse();
        assertThat(none.of("final", Optional.empty())).isEqualTo(new EventAudience("final", Optional.empty(), List.of()));
        assertThat(none.latest()).isEmpty();
    }
}
