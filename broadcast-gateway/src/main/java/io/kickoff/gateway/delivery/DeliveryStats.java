package io.kickoff.gateway.delivery;

import io.kickoff.protocol.delivery.DeliveryReports;
import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.kickoff.protocol.Timestamps;
import io.kickoff.protocol.v1.DeliveryReport;
import io.kickoff.protocol.v1.EventDelivery;
import io.kickoff.protocol.v1.StageUpdate;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Per (event, seq) delivery figures of this node: devices targeted, frames written, acks and
 * the issued_at → ack latency. Called on event loops, so every method is cheap and lock-free on
 * the common path (striped adders and a wait-free histogram recorder); only the reporter thread
 * pays for folding and encoding histograms. Only the latest {@link #SEQS_PER_EVENT} seqs of an
 * event are kept, so memory is bounded by the number of events, not by their history.
 */
public final class DeliveryStats {
    /** Seqs kept per event: the update being delivered and the two before it. */
    public static final int SEQS_PER_EVENT = 3;
    /** Histogram precision: 1% is plenty for "p99 420 ms" and keeps each histogram a few KB. */
    /** Latencies are capped here so one absurd clock cannot make a histogram grow without bound. */
    static final long MAX_LATENCY_MICROS = TimeUnit.HOURS.toMicros(1);

    private final String nodeId;
    private final Clock clock;
    private final IntSupplier connections;
    private final Map<String, EventSeqs> events = new ConcurrentHashMap<>();

    /**
     * @param nodeId      this node's name in reports
     * @param clock       stamps reports
     * @param connections devices connected (greeted) right now, read at each snapshot
     */
    public DeliveryStats(String nodeId, Clock clock, IntSupplier connections) {
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.connections = Objects.requireNonNull(connections, "connections");
    }

    public String nodeId() {
        return nodeId;
    }

    /** {@code devices} of one event loop were in the update's audience when it was fanned out (or greeted later and needed it). */
    public void targeted(StageUpdate update, int devices) {
        if (devices <= 0) {
            return;
        }
        SeqStats s = stats(update);
        if (s != null) {
            s.targeted.add(devices);
        }
    }

    /** {@code frames} of this update were written (fan-out, welcome snapshot or redelivery). */
    public void written(StageUpdate update, int frames) {
        if (frames <= 0) {
            return;
        }
        SeqStats s = stats(update);
        if (s != null) {
            s.written.add(frames);
        }
    }

    /** A device acked this update; {@code nowMicros} is wall-clock time of receipt. */
    public void acked(StageUpdate update, long nowMicros) {
        SeqStats s = stats(update);
        if (s == null) {
            return;
        }
        s.acked.increment();
        if (s.issuedAtMicros != 0) {
            // Clocks of the issuer and this node may disagree a little: never record a negative.
            long latency = Math.max(0, Math.min(MAX_LATENCY_MICROS, nowMicros - s.issuedAtMicros));
            s.recorder().recordValue(latency);
        }
    }

    /** Drops everything about an event that left the world (ended or cancelled long ago). */
    public void forget(String eventId) {
        events.remove(eventId);
    }

    /** Cumulative figures of every kept (event, seq), each with its latency histogram and percentiles. */
    public DeliveryReport snapshot() {
        DeliveryReport.Builder report = DeliveryReport.newBuilder()
                .setNodeId(nodeId)
                .setAt(Timestamps.of(clock.instant()))
                .setConnections(Math.max(0, connections.getAsInt()));
        List<Map.Entry<String, EventSeqs>> sorted = new ArrayList<>(events.entrySet());
        sorted.sort(Map.Entry.comparingByKey());
        for (Map.Entry<String, EventSeqs> e : sorted) {
            for (SeqStats s : e.getValue().seqs) {
                report.addEvents(s.toDelivery(e.getKey()));
            }
        }
        return report.build();
    }

    /** Stats of the update's (event, seq), created if it is new; null if it is older than the kept seqs. */
    private SeqStats stats(StageUpdate update) {
        EventSeqs seqs = events.get(update.getEventId());
        if (seqs == null) {
            seqs = events.computeIfAbsent(update.getEventId(), id -> new EventSeqs());
        }
        return seqs.get(update);
    }

    /** The latest few seqs of one event, newest last; replaced copy-on-write, read lock-free. */
    private static final class EventSeqs {
        volatile SeqStats[] seqs = new SeqStats[0];

        SeqStats get(StageUpdate update) {
            long seq = update.getSeq();
            for (SeqStats s : seqs) {
                if (s.seq == seq) {
                    return s;
                }
            }
            return add(update);
        }

        private synchronized SeqStats add(StageUpdate update) {
            SeqStats[] current = seqs;
            long seq = update.getSeq();
            for (SeqStats s : current) {
                if (s.seq == seq) {
                    return s;
                }
            }
            if (current.length >= SEQS_PER_EVENT && seq < current[0].seq) {
                return null; // older than everything kept: not worth a slot
            }
            List<SeqStats> next = new ArrayList<>(current.length + 1);
            next.addAll(List.of(current));
            SeqStats created = new SeqStats(update);
            next.add(created);
            next.sort(Comparator.comparingLong(s -> s.seq));
            while (next.size() > SEQS_PER_EVENT) {
                next.remove(0);
            }
            seqs = next.toArray(new SeqStats[0]);
            return created;
        }
    }

    /** Figures of one (event, seq). */
    private static final class SeqStats {
        final long seq;
        final Timestamp issuedAt;
        final long issuedAtMicros;
        final LongAdder targeted = new LongAdder();
        final LongAdder written = new LongAdder();
        final LongAdder acked = new LongAdder();
        // Created at the first ack: most seqs of a quiet node never get one.
        private volatile Recorder recorder;
        // Folded from the recorder by snapshot(); guarded by this.
        private Histogram interval;
        private Histogram cumulative;

        SeqStats(StageUpdate update) {
            this.seq = update.getSeq();
            this.issuedAt = update.getIssuedAt();
            this.issuedAtMicros = update.hasIssuedAt()
                    ? TimeUnit.SECONDS.toMicros(issuedAt.getSeconds()) + issuedAt.getNanos() / 1000
                    : 0;
        }

        Recorder recorder() {
            Recorder r = recorder;
            if (r == null) {
                synchronized (this) {
                    r = recorder;
                    if (r == null) {
                        r = new Recorder(DeliveryReports.SIGNIFICANT_DIGITS);
                        recorder = r;
                    }
                }
            }
            return r;
        }

        synchronized EventDelivery toDelivery(String eventId) {
            EventDelivery.Builder delivery = EventDelivery.newBuilder()
                    .setEventId(eventId)
                    .setSeq(seq)
                    .setTargeted(targeted.sum())
                    .setWritten(written.sum())
                    .setAcked(acked.sum());
            if (issuedAtMicros != 0) {
                delivery.setIssuedAt(issuedAt);
            }
            Recorder r = recorder;
            if (r != null) {
                interval = r.getIntervalHistogram(interval);
                if (cumulative == null) {
                    cumulative = new Histogram(DeliveryReports.SIGNIFICANT_DIGITS);
                }
                cumulative.add(interval);
            }
            if (cumulative == null) {
                return DeliveryReports.percentiles(delivery, EMPTY).build();
            }
            return DeliveryReports.percentiles(delivery, cumulative).setAckLatencyHistogram(DeliveryReports.encode(cumulative)).build();
        }

        private static final Histogram EMPTY = new Histogram(DeliveryReports.SIGNIFICANT_DIGITS);
    }
}
