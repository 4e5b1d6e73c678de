package io.kickoff.prefetch.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.kickoff.prefetch.push.PushPlan.SegmentPush;
import io.kickoff.prefetch.push.PushPlan.Source;
import io.kickoff.testkit.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PushPrioritiesTest {
    static final Instant NOW = Instant.parse("2026-12-01T20:00:00Z");
    static final List<String> SEGMENTS = List.of("de-de", "uk-en", "us-en");

    final MutableClock clock = new MutableClock(NOW);
    final InMemoryAudienceFeed feed = new InMemoryAudienceFeed();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    PushPriorities priorities(PushPacing pacing) {
        return new PushPriorities(feed, pacing, clock, registry);
    }

    PushPriorities priorities(String... estimate) {
        return priorities(PushPacing.defaults().withEstimate(AudienceEstimate.parse(List.of(estimate))));
    }

    @Test
    void anObservedAudienceOrdersTheSegmentsLargestFirstAndSizesEachWindowByItsPartOfTheLargest() {
        feed.accept(Snapshots.of("final", NOW.minusSeconds(2), Map.of("us-en", 500L, "uk-en", 312L, "de-de", 20L)));
        PushPlan plan = priorities("de-de=0.9").plan("final", SEGMENTS);

        assertThat(plan.source()).isEqualTo(Source.OBSERVED);
        assertThat(plan.asOf()).contains(NOW.minusSeconds(2));
        assertThat(plan.segments()).containsExactly(
                new SegmentPush("us-en", 500, 1000),
                new SegmentPush("uk-en", 312, 624),
                // 4 % of the largest, but never less than the smallest share (0.1).
                new SegmentPush("de-de", 20, 100));
        assertThat(plan.describe(List.of("us-en", "uk-en"))).isEqualTo("final (observed audience at "
                + NOW.minusSeconds(2) + "): us-en (expected 500) first over 100% of the push window, uk-en (expected 312) over 62%");
    }

    @Test
    void segmentsTheSnapshotDoesNotCountComeLast() {
        feed.accept(Snapshots.of("final", NOW, Map.of("uk-en", 40L, "fr-fr", 900L)));
        PushPlan plan = priorities(PushPacing.defaults().withMinWindowShare(0.25)).plan("final", SEGMENTS);
        assertThat(plan.order()).containsExactly("uk-en", "de-de", "us-en");
        assertThat(plan.windowPermille("uk-en")).isEqualTo(1000);
        assertThat(plan.windowPermille("us-en")).isEqualTo(250);
    }

    @Test
    void withoutAFreshAudienceOfItsSegmentsTheConfiguredEstimateDecides() {
        PushPriorities priorities = priorities("us-en=0.3,uk-en=0.6");
        // Nobody in the event's segments yet (before LIVE): the estimate.
        feed.accept(Snapshots.of("final", NOW, Map.of("fr-fr", 10L)));
        PushPlan plan = priorities.plan("final", SEGMENTS);
        assertThat(plan.source()).isEqualTo(Source.CONFIGURED);
        assertThat(plan.asOf()).isEmpty();
        assertThat(plan.segments()).extracting(SegmentPush::segment, SegmentPush::windowPermille)
                .containsExactly(tuple("uk-en", 1000), tuple("us-en", 500), tuple("de-de", 167));

        // A snapshot older than the limit (an hour by default) is not trusted...
        Instant taken = NOW.minus(Duration.ofMinutes(61));
        feed.forget("final");
        feed.accept(Snapshots.of("final", taken, Map.of("us-en", 999L)));
        assertThat(priorities.plan("final", SEGMENTS).source()).isEqualTo(Source.CONFIGURED);
        // ...one within it is.
        clock.set(taken.plus(Duration.ofMinutes(59)));
        PushPlan fresh = priorities.plan("final", SEGMENTS);
        assertThat(fresh.source()).isEqualTo(Source.OBSERVED);
        assertThat(fresh.order()).startsWith("us-en");
    }

    @Test
    void anEventsOwnEstimateWinsOverTheOneForEveryEvent() {
        PushPlan plan = priorities("us-en=0.6,uk-en=0.3", "final/de-de=0.5,final/uk-en=0.5").plan("final", SEGMENTS);
        assertThat(plan.source()).isEqualTo(Source.CONFIGURED);
        assertThat(plan.order()).containsExactly("de-de", "uk-en", "us-en");
        assertThat(plan.segments()).extracting(SegmentPush::windowPermille).containsExactly(1000, 1000, 100);
    }

    @Test
    void withNothingKnownEverySegmentHasAnEqualShareAndTheWholeWindow() {
        PushPlan plan = priorities().plan("final", List.of("us-en", "de-de", "uk-en", "de-de"));
        assertThat(plan.source()).isEqualTo(Source.EQUAL);
        assertThat(plan.order()).containsExactly("de-de", "uk-en", "us-en");
        assertThat(plan.segments()).extracting(SegmentPush::windowPermille).containsOnly(PushPlan.WHOLE_WINDOW);
        assertThat(plan.describe(List.of("de-de")))
                .isEqualTo("final (no audience known: equal shares): de-de (expected share 0.33) first over 100% of the push window");
        // An estimate naming none of the event's segments, with nothing left over, says nothing about them either.
        assertThat(priorities("fr-fr=1").plan("final", SEGMENTS).source()).isEqualTo(Source.EQUAL);
    }

    @Test
    void pushedPlansAreCountedBySourceAndTheirWindowsShownPerSegment() {
        PushPriorities priorities = priorities("us-en=0.8,uk-en=0.2");
        assertThat(registry.get("kickoff_prefetch_push_plans").tag("source", "configured").counter().count()).isZero();
        assertThat(registry.get("kickoff_prefetch_push_plans").tag("source", "observed").counter().count()).isZero();

        PushPlan plan = priorities.plan("final", List.of("us-en", "uk-en"));
        priorities.pushed(plan, List.of("us-en", "uk-en"));
        priorities.pushed(plan, List.of()); // nothing changed: not a push
        assertThat(registry.get("kickoff_prefetch_push_plans").tag("source", "configured").counter().count()).isEqualTo(1);
        assertThat(registry.get("kickoff_prefetch_push_window_share").tag("segment", "us-en").gauge().value()).isEqualTo(1.0);
        assertThat(registry.get("kickoff_prefetch_push_window_share").tag("segment", "uk-en").gauge().value()).isEqualTo(0.25);

        feed.accept(Snapshots.of("final", NOW, Map.of("uk-en", 10L, "us-en", 5L)));
        priorities.pushed(priorities.plan("final", List.of("us-en", "uk-en")), List.of("uk-en", "us-en"));
        assertThat(registry.get("kickoff_prefetch_push_plans").tag("source", "observed").counter().count()).isEqualTo(1);
        assertThat(registry.get("kickoff_prefetch_push_window_share").tag("segment", "uk-en").gauge().value()).isEqualTo(1.0);
        assertThat(registry.get("kickoff_prefetch_push_window_share").tag("segment", "us-en").gauge().value()).isEqualTo(0.5);
    }
}
