package io.kickoff.protocol.delivery;

import io.kickoff.protocol.v1.DeliveryReport;
import io.kickoff.protocol.v1.EventDelivery;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * Cluster-wide delivery figures from the reports of several nodes: counters are summed and
 * latency histograms merged exactly, so the percentiles are those of all devices together
 * (averaging per-node percentiles would be wrong).
 */
public final class DeliveryReports {
    /** Precision of every latency histogram: two significant digits, 1%. */
    public static final int SIGNIFICANT_DIGITS = 2;

    private DeliveryReports() {
    }

    /**
     * Merges the figures of one (event, seq) as reported by several nodes. Entries are expected
     * to share event id and seq; the result carries the first one's ids and earliest issued_at.
     *
     * @throws IllegalArgumentException if {@code deliveries} is empty or a histogram is unreadable
     */
    public static EventDelivery merge(Collection<EventDelivery> deliveries) {
        if (deliveries.isEmpty()) {
            throw new IllegalArgumentException("nothing to merge");
        }
        EventDelivery first = deliveries.iterator().next();
        EventDelivery.Builder merged = EventDelivery.newBuilder().setEventId(first.getEventId()).setSeq(first.getSeq());
        Histogram latency = new Histogram(SIGNIFICANT_DIGITS);
        long targeted = 0;
        long written = 0;
        long acked = 0;
        for (EventDelivery d : deliveries) {
            targeted += d.getTargeted();
            written += d.getWritten();
            acked += d.getAcked();
            if (d.hasIssuedAt() && (!merged.hasIssuedAt() || isBefore(d, merged))) {
                merged.setIssuedAt(d.getIssuedAt());
            }
            Histogram h = decode(d);
            if (h != null) {
                latency.add(h);
            }
        }
        merged.setTargeted(targeted).setWritten(written).setAcked(acked);
        percentiles(merged, latency);
        return merged.setAckLatencyHistogram(encode(latency)).build();
    }

    /**
     * Merges the latest report of each node into one figure per (event, seq), ordered by event id
     * then seq. Pass one report per node: two reports of the same node would count it twice.
     */
    public static List<EventDelivery> mergeReports(Collection<DeliveryReport> reports) {
        Map<String, Map<Long, List<EventDelivery>>> byEvent = new LinkedHashMap<>();
        for (DeliveryReport report : reports) {
            for (EventDelivery d : report.getEventsList()) {
                byEvent.computeIfAbsent(d.getEventId(), e -> new LinkedHashMap<>())
                        .computeIfAbsent(d.getSeq(), s -> new ArrayList<>()).add(d);
            }
        }
        List<EventDelivery> merged = new ArrayList<>();
        byEvent.values().forEach(bySeq -> bySeq.values().forEach(list -> merged.add(merge(list))));
        merged.sort(Comparator.comparing(EventDelivery::getEventId).thenComparingLong(EventDelivery::getSeq));
        return merged;
    }

    /** Devices that acked as a fraction of those targeted (1 when nobody was targeted). */
    public static double ackedFraction(EventDelivery delivery) {
        return delivery.getTargeted() == 0 ? 1.0 : Math.min(1.0, (double) delivery.getAcked() / delivery.getTargeted());
    }

    /** The latency histogram of one entry (microseconds), or null if it has none. */
    public static Histogram histogram(EventDelivery delivery) {
        return decode(delivery);
    }

    private static Histogram decode(EventDelivery d) {
        if (d.getAckLatencyHistogram().isEmpty()) {
            return null;
        }
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(d.getAckLatencyHistogram().toByteArray()), 0);
        } catch (DataFormatException | RuntimeException e) {
            throw new IllegalArgumentException("unreadable latency histogram for " + d.getEventId() + " seq " + d.getSeq(), e);
        }
    }

    private static boolean isBefore(EventDelivery d, EventDelivery.Builder merged) {
        var a = d.getIssuedAt();
        var b = merged.getIssuedAt();
        return a.getSeconds() < b.getSeconds() || (a.getSeconds() == b.getSeconds() && a.getNanos() < b.getNanos());
    }

    // ---- histogram helpers shared with the gateway's DeliveryStats ----

    public static ByteString encode(Histogram histogram) {
        if (histogram.getTotalCount() == 0) {
            return ByteString.EMPTY;
        }
        ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        int length = histogram.encodeIntoCompressedByteBuffer(buffer, 9);
        return ByteString.copyFrom(buffer.array(), 0, length);
    }

    public static double millis(long micros) {
        return micros / 1000.0;
    }

    public static EventDelivery.Builder percentiles(EventDelivery.Builder delivery, Histogram histogram) {
        if (histogram.getTotalCount() == 0) {
            return delivery.setP50Ms(0).setP99Ms(0).setMaxMs(0);
        }
        return delivery.setP50Ms(millis(histogram.getValueAtPercentile(50)))
                .setP99Ms(millis(histogram.getValueAtPercentile(99)))
                .setMaxMs(millis(histogram.getMaxValue()));
    }

}
