package io.kickoff.lsm.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.kickoff.lsm.audience.EventAudience;
import io.kickoff.lsm.delivery.DeliveryBoard;
import io.kickoff.lsm.event.HistoryEntry;
import io.kickoff.lsm.event.LiveEvent;
import io.kickoff.lsm.event.Schedule;
import io.kickoff.protocol.delivery.DeliveryReports;
import io.kickoff.protocol.v1.EventDelivery;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the admin API answers, as JSON documents (snake_case; timestamps RFC 3339 in UTC; durations ISO-8601). */
final class Views {
    private Views() {
    }

    /** The ETag of an event: its version, quoted. */
    static String etag(LiveEvent event) {
        return "\"" + event.version() + "\"";
    }

    static String location(String id) {
        return "/v1/events/" + id;
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record EventView(String id, String title, String catalogTitleId, List<String> segments, String stage, long seq,
                     long version, String scheduledStart, String expectedEnd, String prefetchLead, String preShowLead,
                     boolean autoEnd, String prefetchAt, String preShowAt, NextTransition nextTransition,
                     List<String> nextStages, Map<String, String> bundleVersions, String updatedAt) {

        /** @param bundleVersions segment → version of the latest bundle the prefetch service made for it */
        static EventView of(LiveEvent e, Map<String, String> bundleVersions) {
            Schedule s = e.schedule();
            NextTransition next = e.nextTimer().map(t -> new NextTransition(t.to().name(), t.at().toString())).orElse(null);
            return new EventView(e.id(), e.title(), e.catalogTitleId(), e.segments(), e.stage().name(), e.seq(),
                    e.version(), s.start().toString(), text(s.expectedEnd()), s.prefetchLead().toString(),
                    s.preShowLead().toString(), s.autoEnd(), s.prefetchAt().toString(), s.preShowAt().toString(), next,
                    e.nextStages().stream().map(Enum::name).toList(), bundleVersions, e.updatedAt().toString());
        }
    }

    /** The transition the clock will make next. */
    record NextTransition(String to, String at) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record EventList(List<EventView> events, String nextCursor) {
    }

    record HistoryLine(long seq, long version, String stage, String reason, String actor, String at,
                       String scheduledStart) {
        static HistoryLine of(HistoryEntry h) {
            return new HistoryLine(h.seq(), h.version(), h.stage().name(), h.reason(), h.actor(), h.at().toString(),
                    text(h.scheduledStart()));
        }
    }

    record History(String eventId, List<HistoryLine> history) {
    }

    /** Delivery of one stage update (one seq) summed over the gateway nodes that report it. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record DeliveryLine(long seq, String issuedAt, long targeted, long written, long acked, double ackedPercent,
                        double p50Ms, double p99Ms, double maxMs, int nodesReporting, List<NodeDelivery> nodes) {
        static DeliveryLine of(DeliveryBoard.Line line) {
            EventDelivery d = line.delivery();
            String issued = d.hasIssuedAt()
                    ? Instant.ofEpochSecond(d.getIssuedAt().getSeconds(), d.getIssuedAt().getNanos()).toString() : null;
            List<NodeDelivery> nodes = line.byNode().entrySet().stream()
                    .map(e -> NodeDelivery.of(e.getKey(), e.getValue())).toList();
            return new DeliveryLine(d.getSeq(), issued, d.getTargeted(), d.getWritten(), d.getAcked(), percent(d),
                    d.getP50Ms(), d.getP99Ms(), d.getMaxMs(), line.nodes(), nodes);
        }
    }

    /** One gateway node's own figures for a stage update. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record NodeDelivery(String node, long targeted, long written, long acked, double ackedPercent, double p50Ms,
                        double p99Ms) {
        static NodeDelivery of(String node, EventDelivery d) {
            return new NodeDelivery(node, d.getTargeted(), d.getWritten(), d.getAcked(), percent(d), d.getP50Ms(),
                    d.getP99Ms());
        }
    }

    /** Acked over targeted, in percent with two decimals. */
    private static double percent(EventDelivery d) {
        return Math.round(DeliveryReports.ackedFraction(d) * 10_000) / 100.0;
    }

    /** @param gatewayNodes gateway nodes reporting delivery at all (whether or not they delivered this event) */
    record Delivery(String eventId, int gatewayNodes, List<DeliveryLine> deliveries) {
    }

    /**
     * The audience of an event ({@code GET /v1/events/{id}/audience}): now, from the latest snapshot ({@code as_of}
     * null and zeros when there is none), the plays after each recent broadcast, and the series of the last hour.
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Audience(String eventId, boolean available, String asOf, long viewers, Map<String, Long> segments,
                    List<BroadcastPlays> broadcasts, List<AudiencePoint> series) {
        static Audience of(EventAudience audience) {
            Optional<EventAudience.Snapshot> latest = audience.latest();
            return new Audience(audience.eventId(), true, latest.map(s -> s.at().toString()).orElse(null),
                    latest.map(EventAudience.Snapshot::viewers).orElse(0L),
                    latest.<Map<String, Long>>map(EventAudience.Snapshot::segments).orElse(Map.of()),
                    latest.map(s -> s.broadcasts().stream().map(BroadcastPlays::of).toList()).orElse(List.of()),
                    audience.series().stream().map(AudiencePoint::of).toList());
        }
    }

    /**
     * Devices whose first play came within {@code window_seconds} after a stage update was issued.
     *
     * @param windowSeconds whole seconds as an integer, otherwise with the milliseconds as a fraction
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record BroadcastPlays(long seq, String stage, String issuedAt, long plays, Number windowSeconds) {
        static BroadcastPlays of(EventAudience.BroadcastPlays b) {
            long ms = b.window().toMillis();
            return new BroadcastPlays(b.seq(), b.stage().name(), b.issuedAt().toString(), b.plays(),
                    ms % 1000 == 0 ? (Number) (ms / 1000) : (Number) (ms / 1000.0));
        }
    }

    /** Viewers at one second of the series. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record AudiencePoint(String t, long viewers, Map<String, Long> segments) {
        static AudiencePoint of(EventAudience.Point p) {
            return new AudiencePoint(p.at().toString(), p.viewers(), p.segments());
        }
    }

    /** Who a token is: its name (the actor in history), its role and whether it may write. */
    record Caller(String name, String role, boolean mayWrite) {
    }

    record Health(String status) {
    }

    record Ready(String status, Map<String, String> checks) {
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
