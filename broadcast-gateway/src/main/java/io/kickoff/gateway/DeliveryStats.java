package io.kickoff.gateway;

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
 * Per (event, seq) delivery figures of this node, counted in <b>distinct devices</b> so that they
 * add up whatever happens to a connection:
 * <ul>
 *   <li><b>targeted</b>: devices this node attempted to deliver the update to: in its audience and
 *       behind on it at fan-out (written or withheld), in a welcome snapshot, or when the upkeep
 *       sent it later (withheld, overflow of the welcome, redelivery);</li>
 *   <li><b>written</b>: targeted devices whose frame was written at least once;</li>
 *   <li><b>acked</b>: targeted devices that acked it (or a later seq), or whose later hello reports
 *       it as applied (the ack was lost with the connection).</li>
 * </ul>
 * A device counts once per (event, seq) however many times it reconnects to this node or is sent
 * the update again, and an ack from a device this node never targeted is not counted, so
 * {@code written <= targeted} and {@code acked <= targeted} hold by construction. A device that
 * moves to another node is counted by each node that targeted it.
 *
 * <p>Called on event loops, so the common path is cheap: what a device reached is one small
 * {@link DeviceMarks} per device and event, created the first time this node targets the device
 * for the event and reused by every later seq, so a broadcast to N devices allocates nothing per
 * device (a read-only fast path when nothing changes); striped adders and a wait-free histogram
 * recorder; only the reporter thread pays for folding and encoding histograms. Only the latest
 * {@link #SEQS_PER_EVENT} seqs of an event are kept, each in a slot of its own that a device's
 * marks mirror; the reporter drops the marks of devices that reached none of them, so memory is
 * bounded by events × devices.
 *
 * <p>The marks are keyed by device id, not kept on a connection: a device that reconnects, or
 * whose newer connection overlaps the older one for a moment, must still count once.
 */
final class DeliveryStats {
    /** Seqs kept per event: the update being delivered and the two before it. */
    public static final int SEQS_PER_EVENT = 3;
    /** Latencies are capped here so one absurd clock cannot make a histogram grow without bound. */
    static final long MAX_LATENCY_MICROS = TimeUnit.HOURS.toMicros(1);

    private static final int TARGETED = 1;
    private static final int WRITTEN = 2;
    private static final int ACKED = 4;

    private final String nodeId;
    private final Clock clock;
    private final IntSupplier connections;
    // Where each kept seq's figures are also exposed as meters; null: nowhere (tests of the figures alone).
    private final GatewayMetrics metrics;
    private final Map<String, EventSeqs> events = new ConcurrentHashMap<>();

    /**
     * @param nodeId      this node's name in reports
     * @param clock       stamps reports
     * @param connections devices connected (greeted) right now, read at each snapshot
     */
    public DeliveryStats(String nodeId, Clock clock, IntSupplier connections) {
        this(nodeId, clock, connections, null);
    }

    /** As above, each kept seq's figures also exposed by {@code metrics} ({@link GatewayMetrics#delivery}). */
    public DeliveryStats(String nodeId, Clock clock, IntSupplier connections, GatewayMetrics metrics) {
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.connections = Objects.requireNonNull(connections, "connections");
        this.metrics = metrics;
    }

    public String nodeId() {
        return nodeId;
    }

    /**
     * The counters of the update's (event, seq), created if new: fetch once, then count each device
     * of a fan-out through it. Counts nothing if the seq is older than every kept one.
     */
    public Tally tally(StageUpdate update) {
        EventSeqs seqs = events.get(update.getEventId());
        if (seqs == null) {
            seqs = events.computeIfAbsent(update.getEventId(), id -> new EventSeqs(id, metrics));
        }
        Tally tally = seqs.get(update);
        return tally == null ? Tally.NONE : tally;
    }

    /** This node attempted to deliver the update to the device, and may not have written it (unwritable). */
    public void targeted(StageUpdate update, String deviceId) {
        tally(update).targeted(deviceId);
    }

    /** The update was written to the device (which is therefore targeted too). */
    public void written(StageUpdate update, String deviceId) {
        tally(update).written(deviceId);
    }

    /**
     * The device acked {@code seq} of the event; {@code nowMicros} is wall-clock time of receipt. An
     * ack means "I have this seq or later", so it counts for every kept seq up to {@code seq} that
     * this node targeted the device with; latency is recorded for {@code seq} itself.
     */
    public void acked(String eventId, long seq, String deviceId, long nowMicros) {
        EventSeqs seqs = events.get(eventId);
        DeviceMarks marks = seqs == null ? null : seqs.devices.get(deviceId);
        if (marks == null) {
            return; // never targeted by this node for the event: nothing of it counts
        }
        for (Tally s : seqs.seqs) {
            if (s.seq <= seq && s.mark(deviceId, marks, ACKED, TARGETED) && s.seq == seq && s.issuedAtMicros != 0) {
                // Clocks of the issuer and this node may disagree a little: never record a negative.
                long latency = Math.max(0, Math.min(MAX_LATENCY_MICROS, nowMicros - s.issuedAtMicros));
                s.recorder().recordValue(latency);
                s.series.ackLatency(latency);
            }
        }
    }

    /**
     * The device's hello says it applied the event up to {@code position}: for a device this node
     * targeted, that is the ack it could not send before its connection ended. No latency is
     * recorded (the receipt time is unknown).
     */
    public void reported(String eventId, long position, String deviceId) {
        EventSeqs seqs = events.get(eventId);
        DeviceMarks marks = seqs == null ? null : seqs.devices.get(deviceId);
        if (marks == null) {
            return;
        }
        for (Tally s : seqs.seqs) {
            if (s.seq <= position) {
                s.mark(deviceId, marks, ACKED, TARGETED);
            }
        }
    }

    /** Drops everything about an event that left the world (ended or cancelled long ago). */
    public void forget(String eventId) {
        EventSeqs gone = events.remove(eventId);
        if (gone != null) {
            for (Tally s : gone.seqs) {
                s.series.remove();
            }
        }
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
            for (Tally s : e.getValue().seqs) {
                report.addEvents(s.toDelivery(e.getKey()));
            }
            e.getValue().dropStaleMarks();
        }
        return report.build();
    }

    /**
     * The latest few seqs of one event, newest last, replaced copy-on-write and read lock-free; and
     * what each device this node targeted for the event reached of them.
     */
    private static final class EventSeqs {
        final String eventId;
        final GatewayMetrics metrics;
        volatile Tally[] seqs = new Tally[0];
        final Map<String, DeviceMarks> devices = new ConcurrentHashMap<>();
        // Tallies created so far (their generations); guarded by this.
        private int created;
        // A seq left since the last sweep of stale marks.
        private volatile boolean evicted;

        EventSeqs(String eventId, GatewayMetrics metrics) {
            this.eventId = eventId;
            this.metrics = metrics;
        }

        Tally get(StageUpdate update) {
            long seq = update.getSeq();
            for (Tally s : seqs) {
                if (s.seq == seq) {
                    return s;
                }
            }
            return add(update);
        }

        private synchronized Tally add(StageUpdate update) {
            Tally[] current = seqs;
            long seq = update.getSeq();
            for (Tally s : current) {
                if (s.seq == seq) {
                    return s;
                }
            }
            if (current.length >= SEQS_PER_EVENT && seq < current[0].seq) {
                return null; // older than everything kept: not worth a slot
            }
            List<Tally> next = new ArrayList<>(current.length + 1);
            next.addAll(List.of(current));
            // A new seq takes the slot of the one it pushes out (the oldest), or a free one.
            int slot = current.length >= SEQS_PER_EVENT ? current[0].slot : freeSlot(current);
            Tally created = new Tally(update, this, slot, this.created++ & DeviceMarks.GENERATION_MASK);
            if (metrics != null) {
                created.series = metrics.delivery(eventId, created);
            }
            next.add(created);
            next.sort(Comparator.comparingLong(s -> s.seq));
            while (next.size() > SEQS_PER_EVENT) {
                next.remove(0).series.remove();
                evicted = true;
            }
            seqs = next.toArray(new Tally[0]);
            return created;
        }

        private static int freeSlot(Tally[] current) {
            int used = 0;
            for (Tally s : current) {
                used |= 1 << s.slot;
            }
            return Integer.numberOfTrailingZeros(~used);
        }

        DeviceMarks marks(String deviceId) {
            DeviceMarks marks = devices.get(deviceId);
            return marks != null ? marks : devices.computeIfAbsent(deviceId, id -> new DeviceMarks());
        }

        /**
         * Drops the marks of devices that reached none of the kept seqs (their seqs left since): they
         * can count nothing more, and a device that comes back starts afresh with the seqs kept then.
         */
        void dropStaleMarks() {
            if (!evicted) {
                return;
            }
            evicted = false;
            for (Map.Entry<String, DeviceMarks> e : devices.entrySet()) {
                DeviceMarks marks = e.getValue();
                synchronized (marks) {
                    // Read under the lock: a mark made for a seq added since is seen, and kept.
                    if (marks.reachesNone(seqs)) {
                        marks.retired = true;
                        devices.remove(e.getKey(), marks);
                    }
                }
            }
        }
    }

    /**
     * What one device reached of each kept seq of one event: per slot of {@link EventSeqs}, the
     * generation of the seq that holds the slot and its steps; an entry of another generation is a
     * seq gone (nothing reached). Written under its own lock, read without.
     */
    static final class DeviceMarks {
        static final int GENERATION_MASK = (1 << 29) - 1;
        private volatile int slot0;
        private volatile int slot1;
        private volatile int slot2;
        // Dropped from its event's map: whoever holds it looks the device up again. Set under the lock.
        volatile boolean retired;

        /** The steps the device reached of {@code tally}. */
        int steps(Tally tally) {
            int entry = switch (tally.slot) {
                case 0 -> slot0;
                case 1 -> slot1;
                default -> slot2;
            };
            return (entry >>> 3) == tally.generation ? entry & 7 : 0;
        }

        void set(Tally tally, int steps) {
            int entry = tally.generation << 3 | steps;
            switch (tally.slot) {
                case 0 -> slot0 = entry;
                case 1 -> slot1 = entry;
                default -> slot2 = entry;
            }
        }

        boolean reachesNone(Tally[] kept) {
            for (Tally s : kept) {
                if (steps(s) != 0) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Figures of one (event, seq): which devices reached which step, and the counts of each. */
    public static final class Tally {
        /** Counts nothing: for seqs older than every kept one. */
        static final Tally NONE = new Tally();

        final long seq;
        final Timestamp issuedAt;
        final long issuedAtMicros;
        // The event's seqs and devices; null for NONE.
        private final EventSeqs event;
        // Where the devices' marks of this seq are (see DeviceMarks).
        final int slot;
        final int generation;
        final LongAdder targeted = new LongAdder();
        final LongAdder written = new LongAdder();
        final LongAdder acked = new LongAdder();
        // Its meters (GatewayMetrics#delivery), or none; set once, before the tally is published.
        DeliveryMeters series = DeliveryMeters.NONE;
        // Created at the first ack: most seqs of a quiet node never get one.
        private volatile Recorder recorder;
        // Folded from the recorder by snapshot(); guarded by this.
        private Histogram interval;
        private Histogram cumulative;

        private Tally() {
            this.seq = -1;
            this.issuedAt = Timestamp.getDefaultInstance();
            this.issuedAtMicros = 0;
            this.event = null;
            this.slot = 0;
            this.generation = -1;
        }

        Tally(StageUpdate update, EventSeqs event, int slot, int generation) {
            this.seq = update.getSeq();
            this.issuedAt = update.getIssuedAt();
            this.issuedAtMicros = update.hasIssuedAt()
                    ? TimeUnit.SECONDS.toMicros(issuedAt.getSeconds()) + issuedAt.getNanos() / 1000
                    : 0;
            this.event = event;
            this.slot = slot;
            this.generation = generation;
        }

        /** This node attempted to deliver the update to the device (written or withheld). */
        public void targeted(String deviceId) {
            if (event != null) {
                mark(deviceId, event.marks(deviceId), TARGETED, 0);
            }
        }

        /** The update's frame was written to the device. */
        public void written(String deviceId) {
            if (event != null) {
                mark(deviceId, event.marks(deviceId), TARGETED | WRITTEN, 0);
            }
        }

        /**
         * Sets {@code steps} in the device's marks if it already has every step of {@code required};
         * counts the steps it did not have. Returns true if {@link #ACKED} is among them.
         */
        boolean mark(String deviceId, DeviceMarks marks, int steps, int required) {
            if (event == null) {
                return false;
            }
            int had = marks.steps(this);
            if ((had & steps) == steps || ((had & required) != required && !marks.retired)) {
                return false; // the common repeat (redelivery, duplicate ack), or never targeted: no write
            }
            synchronized (marks) {
                if (marks.retired) {
                    // Swept a moment ago (it had reached no kept seq): mark the device's current entry.
                    DeviceMarks current = required == 0 ? event.marks(deviceId) : event.devices.get(deviceId);
                    return current != null && mark(deviceId, current, steps, required);
                }
                had = marks.steps(this);
                if ((had & required) != required || (had & steps) == steps) {
                    return false;
                }
                int gained = steps & ~had;
                // Counted before the mark is published: whoever sees a device's step sees it counted,
                // so a snapshot reading acked and written before targeted never finds them above it.
                if ((gained & TARGETED) != 0) {
                    targeted.increment();
                }
                if ((gained & WRITTEN) != 0) {
                    written.increment();
                }
                if ((gained & ACKED) != 0) {
                    acked.increment();
                }
                marks.set(this, had | steps);
                return (gained & ACKED) != 0;
            }
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
            // Acked and written first, targeted last: every device counted in the first two was
            // counted as targeted before, so the report keeps acked <= targeted and written <= targeted.
            long ackedSoFar = acked.sum();
            long writtenSoFar = written.sum();
            EventDelivery.Builder delivery = EventDelivery.newBuilder()
                    .setEventId(eventId)
                    .setSeq(seq)
                    .setAcked(ackedSoFar)
                    .setWritten(writtenSoFar)
                    .setTargeted(targeted.sum());
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
