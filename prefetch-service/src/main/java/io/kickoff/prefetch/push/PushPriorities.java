package io.kickoff.prefetch.push;

import io.kickoff.protocol.Timestamps;
import io.kickoff.protocol.v1.AudienceSnapshot;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides in which order an event's bundles are published and over what part of the gateways' push window each is
 * pushed, from the segments' expected audience:
 * <ol>
 *   <li>observed: the event's latest {@code AudienceSnapshot} (devices playing it per segment), if it is not older
 *       than {@link PushPacing#maxSnapshotAge()} and counts anyone in the event's segments;</li>
 *   <li>else configured: the {@link AudienceEstimate}'s shares, if any is above zero;</li>
 *   <li>else equal shares.</li>
 * </ol>
 * Segments go in descending expected audience (ties by segment id). Each is pushed over the part of the window its
 * expected audience is of the largest one's — the largest over the whole window, one half its size over half of it —
 * but at least {@link PushPacing#minWindowShare()}. So every segment is pushed at about the pace the largest one is,
 * a small segment is done early instead of trickling over the whole window, and with nothing known (equal shares)
 * every push takes the whole window as it would without priorities.
 */
public final class PushPriorities {
    private static final Logger log = LoggerFactory.getLogger(PushPriorities.class);

    private final AudienceFeed feed;
    private final PushPacing pacing;
    private final Clock clock;
    private final MeterRegistry registry;
    private final Map<PushPlan.Source, Counter> plans = new EnumMap<>(PushPlan.Source.class);
    private final Map<String, AtomicInteger> windowBySegment = new ConcurrentHashMap<>();

    public PushPriorities(AudienceFeed feed, PushPacing pacing, Clock clock, MeterRegistry registry) {
        this.feed = Objects.requireNonNull(feed, "feed");
        this.pacing = Objects.requireNonNull(pacing, "pacing");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.registry = Objects.requireNonNull(registry, "registry");
        for (PushPlan.Source source : PushPlan.Source.values()) {
            plans.put(source, Counter.builder("kickoff_prefetch_push_plans")
                    .description("event bundle pushes that published at least one bundle, by where the expected "
                            + "audience that ordered and paced them came from")
                    .tag("source", source.label()).register(registry));
        }
    }

    /** The push order and windows of {@code eventId}'s bundles for {@code segments} (its audience). */
    public PushPlan plan(String eventId, List<String> segments) {
        List<String> distinct = segments.stream().distinct().toList();
        Optional<AudienceSnapshot> observed = feed.latest(eventId).filter(this::fresh)
                .filter(s -> distinct.stream().anyMatch(seg -> s.getSegmentsOrDefault(seg, 0) > 0));
        PushPlan.Source source;
        Map<String, Double> expected = new LinkedHashMap<>();
        if (observed.isPresent()) {
            source = PushPlan.Source.OBSERVED;
            distinct.forEach(seg -> expected.put(seg, (double) observed.get().getSegmentsOrDefault(seg, 0)));
        } else {
            Map<String, Double> shares = pacing.estimate().shares(eventId, distinct);
            if (shares.values().stream().anyMatch(w -> w > 0)) {
                source = PushPlan.Source.CONFIGURED;
                expected.putAll(shares);
            } else {
                source = PushPlan.Source.EQUAL;
                distinct.forEach(seg -> expected.put(seg, 1.0 / distinct.size()));
            }
        }
        double largest = expected.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
        int smallest = (int) Math.max(1, Math.round(pacing.minWindowShare() * PushPlan.WHOLE_WINDOW));
        List<PushPlan.SegmentPush> order = new ArrayList<>();
        expected.forEach((segment, audience) -> {
            int permille = largest <= 0 ? PushPlan.WHOLE_WINDOW
                    : (int) Math.round(PushPlan.WHOLE_WINDOW * audience / largest);
            order.add(new PushPlan.SegmentPush(segment, audience,
                    Math.min(PushPlan.WHOLE_WINDOW, Math.max(smallest, permille))));
        });
        order.sort(Comparator.comparingDouble(PushPlan.SegmentPush::expected).reversed()
                .thenComparing(PushPlan.SegmentPush::segment));
        return new PushPlan(eventId, source,
                observed.map(s -> Timestamps.toInstant(s.getAt())), order);
    }

    /** {@code plan} published the bundles of {@code pushed} (in that order): counted, and their windows shown. */
    public void pushed(PushPlan plan, List<String> pushed) {
        if (pushed.isEmpty()) {
            return;
        }
        plans.get(plan.source()).increment();
        for (String segment : pushed) {
            windowBySegment.computeIfAbsent(segment, this::windowGauge).set(plan.windowPermille(segment));
        }
        log.info("pushing {}", plan.describe(pushed));
    }

    private AtomicInteger windowGauge(String segment) {
        AtomicInteger permille = new AtomicInteger(PushPlan.WHOLE_WINDOW);
        // One series per catalog segment (bounded by the catalog), never per event.
        Gauge.builder("kickoff_prefetch_push_window_share", permille, p -> p.get() / (double) PushPlan.WHOLE_WINDOW)
                .description("part of the gateways' bundle push window the segment's latest pushed bundle is spread "
                        + "over (1: all of it), from its expected audience")
                .tag("segment", segment).register(registry);
        return permille;
    }

    private boolean fresh(AudienceSnapshot snapshot) {
        if (!snapshot.hasAt()) {
            return false;
        }
        Instant at = Timestamps.toInstant(snapshot.getAt());
        return !at.isBefore(clock.instant().minus(pacing.maxSnapshotAge()));
    }
}
