package io.kickoff.lsm.audience;

import io.kickoff.protocol.v1.Stage;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The audience of one event: its latest snapshot, if any, and its per-second series, oldest first.
 *
 * @param latest the newest snapshot heard (by its {@code at}) within the last hour; empty: none yet, or none lately
 * @param series one point per second, oldest first
 */
public record EventAudience(String eventId, Optional<Snapshot> latest, List<Point> series) {
    public EventAudience {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(latest, "latest");
        series = List.copyOf(series);
    }

    static EventAudience none(String eventId) {
        return new EventAudience(eventId, Optional.empty(), List.of());
    }

    /**
     * The audience of an event at one instant, as the audience service published it.
     *
     * @param segments   segment → devices playing ({@code ""}: devices without a segment), sorted by segment
     * @param broadcasts the event's most recent stage updates, oldest first, with the plays each turned into
     */
    public record Snapshot(String eventId, Instant at, long viewers, SortedMap<String, Long> segments,
                           List<BroadcastPlays> broadcasts) {
        public Snapshot {
            segments = Collections.unmodifiableSortedMap(new TreeMap<>(segments));
            broadcasts = List.copyOf(broadcasts);
        }

        /** The latest broadcast, the one whose plays the console and the metric show. */
        public Optional<BroadcastPlays> lastBroadcast() {
            return broadcasts.isEmpty() ? Optional.empty() : Optional.of(broadcasts.get(broadcasts.size() - 1));
        }
    }

    /** Devices whose first play of the event came within {@code window} after the stage update {@code seq} was issued. */
    public record BroadcastPlays(long seq, Stage stage, Instant issuedAt, long plays, Duration window) {
    }

    /** Viewers at one second of the series, in total and per segment (sorted by segment). */
    public record Point(Instant at, long viewers, SortedMap<String, Long> segments) {
        public Point {
            segments = Collections.unmodifiableSortedMap(new TreeMap<>(segments));
        }
    }
}
