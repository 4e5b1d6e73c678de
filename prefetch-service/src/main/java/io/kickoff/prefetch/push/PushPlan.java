package io.kickoff.prefetch.push;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The order and windows of one event's bundle push: segments by descending expected audience, each with the part of
 * the gateways' push window its push is spread over.
 *
 * @param source   where the expected audience came from
 * @param asOf     when the observed audience was taken (empty unless {@code source} is {@link Source#OBSERVED})
 * @param segments in push order, largest expected audience first
 */
public record PushPlan(String eventId, Source source, Optional<Instant> asOf, List<SegmentPush> segments) {
    /** The thousandths of a whole window. */
    public static final int WHOLE_WINDOW = 1000;

    /** Where an expected audience came from; the label value of {@code kickoff_prefetch_push_plans_total}. */
    public enum Source {
        /** The event's latest snapshot on {@code kickoff.audience}: devices playing it, per segment. */
        OBSERVED,
        /** The configured estimate's shares. */
        CONFIGURED,
        /** Nothing known: every segment alike, each over the whole window (as without priorities). */
        EQUAL;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One segment's push.
     *
     * @param expected       viewers (observed) or share (configured, equal)
     * @param windowPermille thousandths of the gateways' push window, 1 to 1000
     */
    public record SegmentPush(String segment, double expected, int windowPermille) {
    }

    public PushPlan {
        segments = List.copyOf(segments);
        asOf = asOf == null ? Optional.empty() : asOf;
    }

    /** The segments in push order. */
    public List<String> order() {
        return segments.stream().map(SegmentPush::segment).toList();
    }

    /** The segment's part of the window in thousandths; the whole window for a segment not in the plan. */
    public int windowPermille(String segment) {
        return segments.stream().filter(s -> s.segment().equals(segment)).findFirst()
                .map(SegmentPush::windowPermille).orElse(WHOLE_WINDOW);
    }

    /**
     * One line for the log: {@code final (observed audience at 2026-12-01T20:00:01Z): us-en (expected 500) first over
     * 100% of the push window, uk-en (expected 312) over 62%}, of the segments in {@code pushed} only.
     */
    public String describe(List<String> pushed) {
        StringBuilder line = new StringBuilder(eventId).append(" (").append(switch (source) {
            case OBSERVED -> "observed audience" + asOf.map(at -> " at " + at).orElse("");
            case CONFIGURED -> "configured estimate";
            case EQUAL -> "no audience known: equal shares";
        }).append("): ");
        boolean first = true;
        for (SegmentPush s : segments) {
            if (!pushed.contains(s.segment())) {
                continue;
            }
            if (!first) {
                line.append(", ");
            }
            line.append(s.segment()).append(" (expected ")
                    .append(source == Source.OBSERVED ? String.valueOf(Math.round(s.expected()))
                            : String.format(Locale.ROOT, "share %.2f", s.expected()))
                    .append(')').append(first ? " first over " : " over ")
                    .append(Math.round(s.windowPermille() / 10.0)).append('%').append(first ? " of the push window" : "");
            first = false;
        }
        return line.toString();
    }
}
