package io.kickoff.lsm.audience;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The audience on {@code /metrics}, from a {@link BusAudienceView}:
 * <ul>
 *   <li>{@code kickoff_audience_viewers{event,segment}}: devices playing the event, per segment of its latest snapshot
 *       ({@value #NO_SEGMENT} for devices without one);</li>
 *   <li>{@code kickoff_audience_plays{event,seq,stage}}: plays within the window after the event's latest broadcast.</li>
 * </ul>
 * Bounded: only events the platform knows that have not ended or been cancelled, at most {@value #MAX_EVENTS} of them
 * (the most recently updated), and at most {@value #MAX_SEGMENTS} segments each (the most watched); series of events
 * that drop out are removed. Refreshed on every change of the view and by {@link #refresh()}.
 */
public final class AudienceMetrics {
    public static final int MAX_EVENTS = 16;
    public static final int MAX_SEGMENTS = 50;
    /** The segment label of devices without a segment (a label cannot usefully be empty). */
    public static final String NO_SEGMENT = "_none";

    private final BusAudienceView view;
    private final MultiGauge viewers;
    private final MultiGauge plays;
    // what the gauges read: their rows are re-registered only when the set of series changes
    private volatile Map<Tags, Long> current = Map.of();
    private List<Tags> viewerRows = List.of();
    private List<Tags> playRows = List.of();

    public AudienceMetrics(BusAudienceView view, MeterRegistry registry) {
        this.view = Objects.requireNonNull(view, "view");
        this.viewers = MultiGauge.builder("kickoff_audience_viewers")
                .description("devices playing the event now, per segment (from the audience service's latest snapshot)")
                .register(registry);
        this.plays = MultiGauge.builder("kickoff_audience_plays")
                .description("devices whose first play came within the play window after the event's latest broadcast")
                .register(registry);
        view.onChange(this::refresh);
        refresh();
    }

    /** Reads the view again: new values, and series added or removed. */
    public synchronized void refresh() {
        Map<Tags, Long> values = new HashMap<>();
        List<Tags> newViewerRows = new ArrayList<>();
        List<Tags> newPlayRows = new ArrayList<>();
        for (EventAudience.Snapshot s : view.running().stream().limit(MAX_EVENTS).toList()) {
            s.segments().entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
                    .limit(MAX_SEGMENTS)
                    .forEach(e -> {
                        Tags tags = Tags.of("event", s.eventId(), "segment", e.getKey().isEmpty() ? NO_SEGMENT : e.getKey());
                        values.put(tags, e.getValue());
                        newViewerRows.add(tags);
                    });
            s.lastBroadcast().ifPresent(b -> {
                Tags tags = Tags.of("event", s.eventId(), "seq", Long.toString(b.seq()), "stage", b.stage().name());
                values.put(tags, b.plays());
                newPlayRows.add(tags);
            });
        }
        current = values;
        if (!newViewerRows.equals(viewerRows)) {
            viewers.register(rows(newViewerRows), false);
            viewerRows = newViewerRows;
        }
        if (!newPlayRows.equals(playRows)) {
            plays.register(rows(newPlayRows), false);
            playRows = newPlayRows;
        }
    }

    private List<MultiGauge.Row<?>> rows(List<Tags> tags) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (Tags t : tags) {
            rows.add(MultiGauge.Row.of(t, this, m -> m.current.getOrDefault(t, 0L)));
        }
        return rows;
    }
}
