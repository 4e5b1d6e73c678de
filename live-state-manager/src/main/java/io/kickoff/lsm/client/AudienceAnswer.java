package io.kickoff.lsm.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What {@code GET /v1/events/{id}/audience} answered (the {@code Audience} document of docs/admin-api.yaml).
 *
 * @param asOf       when the audience service took the latest snapshot; empty when it has none for the event
 * @param viewers    devices playing the event as of {@code asOf} (0 without a snapshot)
 * @param segments   segment → devices playing, sorted by segment ({@code ""}: devices without a segment)
 * @param broadcasts the event's most recent stage updates, oldest first, with the plays each turned into
 * @param series     one point per second of the last hour (from {@code since}, if given), oldest first
 */
public record AudienceAnswer(String eventId, boolean available, Optional<Instant> asOf, long viewers,
                             SortedMap<String, Long> segments, List<Broadcast> broadcasts, List<Point> series) {
    public AudienceAnswer {
        segments = Collections.unmodifiableSortedMap(new TreeMap<>(segments));
        broadcasts = List.copyOf(broadcasts);
        series = List.copyOf(series);
    }

    /** Plays within {@code window} after the stage update {@code seq} was issued. */
    public record Broadcast(long seq, String stage, Instant issuedAt, long plays, Duration window) {
    }

    /** Viewers at one second, in total and per segment. */
    public record Point(Instant t, long viewers, SortedMap<String, Long> segments) {
        public Point {
            segments = Collections.unmodifiableSortedMap(new TreeMap<>(segments));
        }
    }

    /** The latest broadcast, whose plays say whether it turned into watching. */
    public Optional<Broadcast> lastBroadcast() {
        return broadcasts.isEmpty() ? Optional.empty() : Optional.of(broadcasts.get(broadcasts.size() - 1));
    }

    static AudienceAnswer of(JsonNode body) {
        List<Broadcast> broadcasts = new ArrayList<>();
        for (JsonNode b : body.path("broadcasts")) {
            BigDecimal seconds = b.path("window_seconds").decimalValue();
            broadcasts.add(new Broadcast(b.path("seq").asLong(), b.path("stage").asText(), Instant.parse(b.path("issued_at").asText()),
                    b.path("plays").asLong(), Duration.ofMillis(seconds.movePointRight(3).longValue())));
        }
        List<Point> series = new ArrayList<>();
        for (JsonNode p : body.path("series")) {
            series.add(new Point(Instant.parse(p.path("t").asText()), p.path("viewers").asLong(), counts(p.path("segments"))));
        }
        JsonNode asOf = body.path("as_of");
        return new AudienceAnswer(body.path("event_id").asText(), body.path("available").asBoolean(),
                asOf.isTextual() ? Optional.of(Instant.parse(asOf.asText())) : Optional.empty(), body.path("viewers").asLong(),
                counts(body.path("segments")), broadcasts, series);
    }

    private static SortedMap<String, Long> counts(JsonNode object) {
        SortedMap<String, Long> counts = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : object.properties()) {
            counts.put(e.getKey(), e.getValue().asLong());
        }
        return counts;
    }
}
