package io.kickoff.lsm.delivery;

import com.google.protobuf.InvalidProtocolBufferException;
import io.kickoff.bus.BusRecord;
import io.kickoff.protocol.delivery.DeliveryReports;
import io.kickoff.protocol.v1.Bundle;
import io.kickoff.protocol.v1.DeliveryReport;
import io.kickoff.protocol.v1.EventDelivery;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the Live State Manager knows of delivery to devices.
 *
 * <p>Figures, from the {@code kickoff.delivery} topic: every gateway node publishes a
 * {@link DeliveryReport} (cumulative, keyed by node id) every second. The board keeps the latest
 * report of each node and forgets nodes silent for {@link #DEFAULT_FORGET_AFTER}; a reader gets,
 * per stage update (event, seq), the figures of all nodes summed, latencies merged exactly
 * ({@link DeliveryReports#mergeReports}). Each node counts distinct devices, with written and acked
 * never above targeted; a report that breaks that (a node of an older version) is clamped, so the
 * sums keep {@code written <= targeted} and {@code acked <= targeted}. A device delivered to by two
 * nodes (it moved) is counted by both.
 *
 * <p>Bundle versions, from the {@code kickoff.bundles} topic (key {@code event:segment}): the
 * version of the latest bundle the prefetch service materialised per (event, segment), which is
 * what the gateways name in the stage updates they send. Only the version is kept, never the bundle.
 *
 * <p>Thread-safe: records arrive on the bus's thread, readers are admin API event loops.
 */
public final class DeliveryBoard {
    private static final Logger log = LoggerFactory.getLogger(DeliveryBoard.class);
    public static final Duration DEFAULT_FORGET_AFTER = Duration.ofMinutes(10);

    private final Clock clock;
    private final Duration forgetAfter;
    private final Map<String, Heard> nodes = new ConcurrentHashMap<>();
    // event id → segment → version of the latest bundle.
    private final Map<String, Map<String, String>> bundleVersions = new ConcurrentHashMap<>();

    /** The latest report of a node and when this board received it. */
    private record Heard(DeliveryReport report, Instant at) {
    }

    /**
     * Figures of one stage update merged over the nodes that report it.
     *
     * @param nodes  how many nodes report this (event, seq)
     * @param byNode each reporting node's own figures for it, by node id
     */
    public record Line(EventDelivery delivery, int nodes, SortedMap<String, EventDelivery> byNode) {
        public Line {
            byNode = Collections.unmodifiableSortedMap(new TreeMap<>(byNode));
        }
    }

    public DeliveryBoard(Clock clock) {
        this(clock, DEFAULT_FORGET_AFTER);
    }

    public DeliveryBoard(Clock clock, Duration forgetAfter) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.forgetAfter = Objects.requireNonNull(forgetAfter, "forgetAfter");
        if (forgetAfter.isNegative() || forgetAfter.isZero()) {
            throw new IllegalArgumentException("forgetAfter must be positive");
        }
    }

    /**
     * One record of {@code kickoff.delivery} (key = node id, value = a {@link DeliveryReport}). A
     * record without a value removes the node; an unreadable one is logged and skipped. Never throws.
     */
    public void onRecord(BusRecord record) {
        if (record.value() == null) {
            if (record.key() != null) {
                nodes.remove(record.key());
            }
            return;
        }
        DeliveryReport report;
        try {
            report = DeliveryReport.parseFrom(record.value());
        } catch (InvalidProtocolBufferException e) {
            log.warn("unreadable delivery report from {} (offset {}) skipped: {}", record.key(), record.offset(), e.getMessage());
            return;
        }
        String node = record.key() != null && !record.key().isEmpty() ? record.key() : report.getNodeId();
        onReport(node, report);
    }

    /** The latest report of {@code nodeId}; replaces the node's previous one (reports are cumulative). */
    public void onReport(String nodeId, DeliveryReport report) {
        if (nodeId == null || nodeId.isEmpty()) {
            log.warn("delivery report without a node id skipped");
            return;
        }
        nodes.put(nodeId, new Heard(readable(nodeId, report), clock.instant()));
        forgetSilent();
    }

    /**
     * Delivery of every stage update of {@code eventId}, merged across nodes, newest seq first;
     * empty if no node reports the event.
     */
    public List<EventDelivery> forEvent(String eventId) {
        return lines(eventId).stream().map(Line::delivery).toList();
    }

    /** Like {@link #forEvent}, with how many nodes report each seq. */
    public List<Line> lines(String eventId) {
        forgetSilent();
        List<DeliveryReport> reports = new ArrayList<>();
        Map<Long, Map<String, List<EventDelivery>>> reporting = new HashMap<>();
        nodes.forEach((node, heard) -> {
            DeliveryReport.Builder only = null;
            for (EventDelivery d : heard.report().getEventsList()) {
                if (d.getEventId().equals(eventId)) {
                    if (only == null) {
                        only = DeliveryReport.newBuilder().setNodeId(node);
                    }
                    only.addEvents(d);
                    reporting.computeIfAbsent(d.getSeq(), s -> new HashMap<>())
                            .computeIfAbsent(node, n -> new ArrayList<>()).add(d);
                }
            }
            if (only != null) {
                reports.add(only.build());
            }
        });
        if (reports.isEmpty()) {
            return List.of();
        }
        return DeliveryReports.mergeReports(reports).stream()
                .sorted(Comparator.comparingLong(EventDelivery::getSeq).reversed())
                .map(d -> {
                    SortedMap<String, EventDelivery> byNode = new TreeMap<>();
                    reporting.getOrDefault(d.getSeq(), Map.of()).forEach((node, figures) ->
                            byNode.put(node, figures.size() == 1 ? figures.get(0) : DeliveryReports.merge(figures)));
                    return new Line(d, byNode.size(), byNode);
                })
                .toList();
    }

    /**
     * One record of {@code kickoff.bundles} (key {@code event:segment}, value a {@code Bundle}); a
     * record without a value drops that bundle. Unreadable records are logged and skipped. Never throws.
     */
    public void onBundleRecord(BusRecord record) {
        if (record.value() == null) {
            int colon = record.key() == null ? -1 : record.key().indexOf(':');
            if (colon > 0) {
                Map<String, String> bySegment = bundleVersions.get(record.key().substring(0, colon));
                if (bySegment != null) {
                    bySegment.remove(record.key().substring(colon + 1));
                }
            }
            return;
        }
        Bundle bundle;
        try {
            bundle = Bundle.parseFrom(record.value());
        } catch (InvalidProtocolBufferException e) {
            log.warn("unreadable bundle record {} (offset {}) skipped: {}", record.key(), record.offset(), e.getMessage());
            return;
        }
        if (bundle.getEventId().isEmpty() || bundle.getSegment().isEmpty() || bundle.getVersion().isEmpty()) {
            log.warn("bundle record {} (offset {}) without event id, segment or version skipped", record.key(), record.offset());
            return;
        }
        bundleVersions.computeIfAbsent(bundle.getEventId(), e -> new ConcurrentHashMap<>())
                .put(bundle.getSegment(), bundle.getVersion());
    }

    /** Segment → version of the latest bundle of the event, sorted by segment; empty if it has none. */
    public Map<String, String> bundleVersions(String eventId) {
        Map<String, String> bySegment = bundleVersions.get(eventId);
        return bySegment == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(bySegment));
    }

    /** Nodes heard from within the last {@code forgetAfter}. */
    public int nodeCount() {
        forgetSilent();
        return nodes.size();
    }

    /** Ids of the nodes heard from within the last {@code forgetAfter}. */
    public Set<String> nodeIds() {
        forgetSilent();
        return Set.copyOf(nodes.keySet());
    }

    private void forgetSilent() {
        Instant horizon = clock.instant().minus(forgetAfter);
        nodes.entrySet().removeIf(e -> {
            if (e.getValue().at().isBefore(horizon)) {
                log.info("gateway node {} silent since {}: its delivery figures are dropped", e.getKey(), e.getValue().at());
                return true;
            }
            return false;
        });
    }

    /**
     * The report with unreadable latency histograms dropped (their counters kept), so merging never
     * fails on it, and written and acked clamped to targeted, so the sums keep the inequalities.
     */
    private static DeliveryReport readable(String node, DeliveryReport report) {
        DeliveryReport.Builder fixed = null;
        for (int i = 0; i < report.getEventsCount(); i++) {
            EventDelivery d = report.getEvents(i);
            if (d.getWritten() > d.getTargeted() || d.getAcked() > d.getTargeted()) {
                log.debug("node {}: {} seq {} reports written {} / acked {} above targeted {}: clamped", node,
                        d.getEventId(), d.getSeq(), d.getWritten(), d.getAcked(), d.getTargeted());
                if (fixed == null) {
                    fixed = report.toBuilder();
                }
                d = d.toBuilder().setWritten(Math.min(d.getWritten(), d.getTargeted()))
                        .setAcked(Math.min(d.getAcked(), d.getTargeted())).build();
                fixed.setEvents(i, d);
            }
            try {
                DeliveryReports.histogram(d);
            } catch (IllegalArgumentException e) {
                log.warn("node {}: unreadable latency histogram for {} seq {} dropped", node, d.getEventId(), d.getSeq());
                if (fixed == null) {
                    fixed = report.toBuilder();
                }
                fixed.setEvents(i, d.toBuilder().clearAckLatencyHistogram());
            }
        }
        return fixed == null ? report : fixed.build();
    }
}
