package io.kickoff.gateway;

import io.kickoff.protocol.delivery.DeliveryReports;
import static io.kickoff.gateway.Fixtures.NOW;
import static io.kickoff.gateway.Fixtures.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.kickoff.protocol.Timestamps;
import io.kickoff.protocol.v1.DeliveryReport;
import io.kickoff.protocol.v1.EventDelivery;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.StageUpdate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class DeliveryStatsTest {
    static final long NOW_MICROS = NOW.getEpochSecond() * 1_000_000L + NOW.getNano() / 1_000;

    final AtomicInteger connections = new AtomicInteger(42);
    final DeliveryStats stats = new DeliveryStats("node-a", Fixtures.CLOCK, connections::get);

    static long afterMillis(double ms) {
        return NOW_MICROS + Math.round(ms * 1000);
    }

    /** Targets, writes and acks devices {@code from}..{@code to - 1} of {@code update}, acks at 1, 2, ... ms. */
    void deliver(DeliveryStats to, StageUpdate update, int from, int until, double firstAckMs) {
        for (int i = from; i < until; i++) {
            to.written(update, "d" + i);
            to.acked(update.getEventId(), update.getSeq(), "d" + i, afterMillis(firstAckMs + (i - from)));
        }
    }

    static EventDelivery only(DeliveryReport report) {
        assertThat(report.getEventsCount()).isEqualTo(1);
        return report.getEvents(0);
    }

    @Test
    void countsTargetedWrittenAndAckedPerEventAndSeq() {
        StageUpdate live = update("final", Stage.LIVE, 4);
        for (int i = 0; i < 7; i++) {
            stats.targeted(live, "d" + i);
        }
        for (int i = 0; i < 6; i++) {
            stats.written(live, "d" + i);
        }
        stats.acked("final", 4, "d0", afterMillis(10));
        stats.acked("final", 4, "d1", afterMillis(20));
        for (int i = 0; i < 5; i++) {
            stats.targeted(update("semi", Stage.PRE_SHOW, 2), "s" + i);
        }

        DeliveryReport report = stats.snapshot();
        assertThat(report.getNodeId()).isEqualTo("node-a");
        assertThat(report.getConnections()).isEqualTo(42);
        assertThat(Timestamps.toInstant(report.getAt())).isEqualTo(NOW);
        assertThat(report.getEventsList()).extracting(EventDelivery::getEventId, EventDelivery::getSeq)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("final", 4L), org.assertj.core.groups.Tuple.tuple("semi", 2L));
        EventDelivery finalLive = report.getEvents(0);
        assertThat(finalLive.getTargeted()).isEqualTo(7);
        assertThat(finalLive.getWritten()).isEqualTo(6);
        assertThat(finalLive.getAcked()).isEqualTo(2);
        assertThat(finalLive.getIssuedAt()).isEqualTo(live.getIssuedAt());
        EventDelivery semi = report.getEvents(1);
        assertThat(semi.getTargeted()).isEqualTo(5);
        assertThat(semi.getAcked()).isZero();
        assertThat(semi.getAckLatencyHistogram().isEmpty()).isTrue();
        assertThat(semi.getP99Ms()).isZero();
    }

    @Test
    void latencyPercentilesFromKnownInputs() {
        StageUpdate live = update("final", Stage.LIVE, 1);
        deliver(stats, live, 0, 100, 1);
        EventDelivery d = only(stats.snapshot());
        // Two significant digits: every figure is within 1%.
        assertThat(d.getP50Ms()).isCloseTo(50, within(0.5));
        assertThat(d.getP99Ms()).isCloseTo(99, within(1.0));
        assertThat(d.getMaxMs()).isCloseTo(100, within(1.0));
    }

    @Test
    void snapshotsAreCumulativeAndTheHistogramDecodes() throws Exception {
        StageUpdate live = update("final", Stage.LIVE, 1);
        deliver(stats, live, 0, 50, 1);
        assertThat(only(stats.snapshot()).getAcked()).isEqualTo(50);
        deliver(stats, live, 50, 100, 51);
        EventDelivery d = only(stats.snapshot());
        assertThat(d.getAcked()).isEqualTo(100);

        Histogram decoded = DeliveryReports.histogram(d);
        assertThat(decoded.getTotalCount()).isEqualTo(100);
        assertThat(decoded.getValueAtPercentile(50) / 1000.0).isCloseTo(50, within(0.5));
        assertThat(decoded.getMaxValue() / 1000.0).isCloseTo(d.getMaxMs(), within(0.001));
        // The bytes are HdrHistogram's own compressed encoding, readable by any HdrHistogram.
        Histogram direct = Histogram.decodeFromCompressedByteBuffer(
                java.nio.ByteBuffer.wrap(d.getAckLatencyHistogram().toByteArray()), 0);
        assertThat(direct.getTotalCount()).isEqualTo(100);
        // And the report survives the bus as bytes.
        assertThat(DeliveryReport.parseFrom(stats.snapshot().toByteArray()).getEvents(0).getAcked()).isEqualTo(100);
    }

    @Test
    void keepsOnlyTheLatestSeqsOfAnEvent() {
        for (long seq = 1; seq <= 5; seq++) {
            stats.targeted(update("final", Stage.LIVE, seq), "d");
        }
        stats.targeted(update("final", Stage.LIVE, 1), "d"); // too old now: not worth a slot
        stats.acked("final", 2, "d", afterMillis(5));
        assertThat(stats.snapshot().getEventsList()).extracting(EventDelivery::getSeq)
                .containsExactly(3L, 4L, 5L);
        stats.targeted(update("final", Stage.ENDED, 9), "d");
        stats.targeted(update("semi", Stage.LIVE, 1), "d");
        assertThat(stats.snapshot().getEventsList()).extracting(e -> e.getEventId() + "#" + e.getSeq())
                .containsExactly("final#4", "final#5", "final#9", "semi#1");
    }

    @Test
    void forgottenEventsLeaveTheReport() {
        stats.targeted(update("final", Stage.ENDED, 7), "d");
        stats.targeted(update("semi", Stage.LIVE, 1), "d");
        stats.forget("final");
        assertThat(stats.snapshot().getEventsList()).extracting(EventDelivery::getEventId).containsExactly("semi");
    }

    @Test
    void negativeLatencyFromSkewedClocksCountsAsZero() {
        StageUpdate live = update("final", Stage.LIVE, 1);
        stats.written(live, "d");
        stats.acked("final", 1, "d", NOW_MICROS - 5_000);
        EventDelivery d = only(stats.snapshot());
        assertThat(d.getAcked()).isEqualTo(1);
        assertThat(d.getMaxMs()).isZero();
    }

    @Test
    void concurrentRecordingLosesNothing() throws Exception {
        StageUpdate live = update("final", Stage.LIVE, 1);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 10_000; i++) {
                        String device = thread + "-" + i;
                        stats.targeted(live, device);
                        stats.written(live, device);
                        stats.acked("final", 1, device, afterMillis(1 + i % 200));
                    }
                }));
            }
            // Snapshots while recording, as the reporter thread does: never above targeted, even mid-way.
            while (!futures.stream().allMatch(Future::isDone)) {
                for (EventDelivery d : stats.snapshot().getEventsList()) {
                    assertThat(d.getWritten()).isLessThanOrEqualTo(d.getTargeted());
                    assertThat(d.getAcked()).isLessThanOrEqualTo(d.getTargeted());
                }
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        EventDelivery d = only(stats.snapshot());
        assertThat(d.getTargeted()).isEqualTo(40_000);
        assertThat(d.getWritten()).isEqualTo(40_000);
        assertThat(d.getAcked()).isEqualTo(40_000);
        assertThat(DeliveryReports.histogram(d).getTotalCount()).isEqualTo(40_000);
    }

    @Test
    void mergesNodesBySummingCountersAndMergingHistograms() {
        DeliveryStats other = new DeliveryStats("node-b", Fixtures.CLOCK, () -> 10);
        StageUpdate live = update("final", Stage.LIVE, 3);
        deliver(stats, live, 0, 100, 1);
        other.targeted(live, "b99");
        deliver(other, live, 100, 199, 101);
        other.acked("final", 3, "b99", afterMillis(200)); // targeted, never written, acked: it has the update
        other.written(update("semi", Stage.LIVE, 1), "s");
        other.acked("semi", 1, "s", afterMillis(7));

        EventDelivery merged = DeliveryReports.merge(List.of(only(stats.snapshot()), other.snapshot().getEvents(0)));
        assertThat(merged.getEventId()).isEqualTo("final");
        assertThat(merged.getSeq()).isEqualTo(3);
        assertThat(merged.getIssuedAt()).isEqualTo(live.getIssuedAt());
        assertThat(merged.getTargeted()).isEqualTo(200);
        assertThat(merged.getWritten()).isEqualTo(199);
        assertThat(merged.getAcked()).isEqualTo(200);
        // Percentiles of all 200 devices together, not an average of the two nodes' figures.
        assertThat(merged.getP50Ms()).isCloseTo(100, within(1.0));
        assertThat(merged.getP99Ms()).isCloseTo(198, within(2.0));
        assertThat(merged.getMaxMs()).isCloseTo(200, within(2.0));
        assertThat(DeliveryReports.histogram(merged).getTotalCount()).isEqualTo(200);
        assertThat(DeliveryReports.ackedFraction(merged)).isEqualTo(1.0);

        List<EventDelivery> all = DeliveryReports.mergeReports(List.of(stats.snapshot(), other.snapshot()));
        assertThat(all).extracting(e -> e.getEventId() + "#" + e.getSeq() + "=" + e.getAcked())
                .containsExactly("final#3=200", "semi#1=1");
    }

    @Test
    void ackedFractionOfTargeted() {
        EventDelivery d = EventDelivery.newBuilder().setTargeted(5000).setAcked(4999).build();
        assertThat(DeliveryReports.ackedFraction(d)).isCloseTo(0.9998, within(1e-9));
        assertThat(DeliveryReports.ackedFraction(EventDelivery.getDefaultInstance())).isEqualTo(1.0);
    }

    @Test
    void aDeviceCountsOnceHoweverOftenItIsSentOrAcks() {
        StageUpdate live = update("final", Stage.LIVE, 2);
        stats.targeted(live, "tv");          // withheld at fan-out
        stats.written(live, "tv");           // sent by the upkeep once writable
        stats.written(live, "tv");           // redelivered
        stats.written(live, "tv");           // reconnected to this node: welcome snapshot
        stats.acked("final", 2, "tv", afterMillis(5));
        stats.acked("final", 2, "tv", afterMillis(9));
        EventDelivery d = only(stats.snapshot());
        assertThat(d.getTargeted()).isEqualTo(1);
        assertThat(d.getWritten()).isEqualTo(1);
        assertThat(d.getAcked()).isEqualTo(1);
        assertThat(DeliveryReports.histogram(d).getTotalCount()).isEqualTo(1);
    }

    @Test
    void anAckFromADeviceThisNodeNeverTargetedIsNotCounted() {
        StageUpdate live = update("final", Stage.LIVE, 2);
        stats.written(live, "here");
        stats.acked("final", 2, "elsewhere", afterMillis(5)); // was sent the update by another node
        stats.reported("final", 2, "elsewhere");
        EventDelivery d = only(stats.snapshot());
        assertThat(d.getTargeted()).isEqualTo(1);
        assertThat(d.getAcked()).isZero();
    }

    @Test
    void aHelloPositionIsTheAckThatWasLostWithTheConnection() {
        StageUpdate live = update("final", Stage.LIVE, 2);
        stats.written(update("final", Stage.PRE_SHOW, 1), "tv");
        stats.written(live, "tv");
        // The connection ended before the acks; the device's next hello says it applied seq 2.
        stats.reported("final", 2, "tv");
        assertThat(stats.snapshot().getEventsList()).extracting(e -> e.getSeq() + ":" + e.getAcked())
                .containsExactly("1:1", "2:1");
        // No receipt time is known, so no latency is made up.
        assertThat(stats.snapshot().getEventsList()).allSatisfy(e -> assertThat(e.getAckLatencyHistogram().isEmpty()).isTrue());
    }

    @Test
    void anAckOfALaterSeqCoversTheEarlierOnesThisNodeTargeted() {
        stats.written(update("final", Stage.PRE_SHOW, 1), "tv");
        stats.written(update("final", Stage.LIVE, 2), "tv");
        stats.acked("final", 2, "tv", afterMillis(5));
        assertThat(stats.snapshot().getEventsList()).extracting(e -> e.getSeq() + ":" + e.getAcked())
                .containsExactly("1:1", "2:1");
    }

    /** Random interleavings of everything that happens to devices: the figures never break the inequalities. */
    @Test
    void writtenAndAckedNeverExceedTargetedWhateverTheOrder() {
        java.util.Random random = new java.util.Random(8);
        for (int round = 0; round < 200; round++) {
            DeliveryStats node = new DeliveryStats("n", Fixtures.CLOCK, () -> 0);
            java.util.Set<String> targeted = new java.util.HashSet<>();
            java.util.Set<String> written = new java.util.HashSet<>();
            java.util.Set<String> acked = new java.util.HashSet<>();
            StageUpdate live = update("final", Stage.LIVE, 3);
            int devices = 1 + random.nextInt(20);
            node.tally(live); // the update is known before any device is: its line exists from the start
            for (int step = 0; step < 200; step++) {
                String device = "d" + random.nextInt(devices);
                switch (random.nextInt(5)) {
                    case 0 -> {
                        node.targeted(live, device);
                        targeted.add(device);
                    }
                    case 1 -> {
                        node.written(live, device);
                        targeted.add(device);
                        written.add(device);
                    }
                    case 2 -> {
                        node.acked("final", 3 + random.nextInt(2), device, afterMillis(step));
                        if (targeted.contains(device)) {
                            acked.add(device);
                        }
                    }
                    case 3 -> {
                        long position = 2 + random.nextInt(3);
                        node.reported("final", position, device);
                        if (position >= 3 && targeted.contains(device)) {
                            acked.add(device);
                        }
                    }
                    default -> node.acked("other", 3, device, afterMillis(step));
                }
                EventDelivery d = only(node.snapshot());
                assertThat(d.getWritten()).isLessThanOrEqualTo(d.getTargeted());
                assertThat(d.getAcked()).isLessThanOrEqualTo(d.getTargeted());
                assertThat(d.getTargeted()).isEqualTo(targeted.size()).isLessThanOrEqualTo(devices);
                assertThat(d.getWritten()).isEqualTo(written.size());
                assertThat(d.getAcked()).isEqualTo(acked.size());
            }
        }
    }

    /** Figures of each kept seq of {@code eventId}, as "seq:targeted/written/acked". */
    static List<String> figures(DeliveryReport report, String eventId) {
        return report.getEventsList().stream().filter(e -> e.getEventId().equals(eventId))
                .map(e -> e.getSeq() + ":" + e.getTargeted() + "/" + e.getWritten() + "/" + e.getAcked()).toList();
    }

    @Test
    void aSeqThatTakesTheSlotOfAnOldOneStartsFromNothingForEveryDevice() {
        for (int seq = 1; seq <= 3; seq++) {
            stats.written(update("final", Stage.LIVE, seq), "tv");
        }
        stats.acked("final", 3, "tv", afterMillis(1)); // acks 1, 2 and 3
        // Seq 4 pushes seq 1 out and takes its slot, where tv's marks say "targeted, written, acked".
        StageUpdate four = update("final", Stage.LIVE, 4);
        stats.tally(four);
        stats.acked("final", 4, "tv", afterMillis(2)); // never sent seq 4 here: not an ack of it
        assertThat(figures(stats.snapshot(), "final")).containsExactly("2:1/1/1", "3:1/1/1", "4:0/0/0");

        stats.targeted(four, "tv");
        stats.written(four, "tv");
        stats.written(four, "tv");
        stats.acked("final", 4, "tv", afterMillis(3));
        stats.acked("final", 4, "tv", afterMillis(4));
        assertThat(figures(stats.snapshot(), "final")).containsExactly("2:1/1/1", "3:1/1/1", "4:1/1/1");
    }

    @Test
    void aDeviceThatComesBackAfterItsMarksWereDroppedCountsOnce() {
        stats.written(update("final", Stage.LIVE, 1), "tv");
        for (int seq = 2; seq <= 4; seq++) {
            stats.written(update("final", Stage.LIVE, seq), "other");
        }
        stats.snapshot(); // tv reached none of 2..4: its marks go
        StageUpdate four = update("final", Stage.LIVE, 4);
        stats.written(four, "tv");
        stats.written(four, "tv");
        stats.acked("final", 4, "tv", afterMillis(1));
        stats.reported("final", 4, "tv");
        assertThat(figures(stats.snapshot(), "final")).containsExactly("2:1/1/0", "3:1/1/0", "4:2/2/1");
    }

    /**
     * Random steps over many seqs (each new seq pushes the oldest out, reusing its slot) and
     * reports (which drop stale marks), against a model that keeps every device of every seq:
     * no device is ever counted twice, no ack of a targeted device is ever lost.
     */
    @Test
    void distinctCountsMatchAModelOfEveryDeviceAcrossSlotReuseAndSweeps() {
        java.util.Random random = new java.util.Random(11);
        for (int round = 0; round < 50; round++) {
            DeliveryStats node = new DeliveryStats("n", Fixtures.CLOCK, () -> 0);
            java.util.Map<Long, java.util.List<java.util.Set<String>>> model = new java.util.TreeMap<>();
            long newest = 0;
            int devices = 1 + random.nextInt(12);
            for (int step = 0; step < 400; step++) {
                if (newest == 0 || random.nextInt(15) == 0) {
                    newest++;
                    node.tally(update("final", Stage.LIVE, newest));
                    model.put(newest, List.of(new java.util.HashSet<>(), new java.util.HashSet<>(), new java.util.HashSet<>()));
                    while (model.size() > DeliveryStats.SEQS_PER_EVENT) {
                        model.remove(model.keySet().iterator().next());
                    }
                }
                long seq = Math.max(1, newest - random.nextInt(4)); // sometimes a seq already pushed out
                String device = "d" + random.nextInt(devices);
                List<java.util.Set<String>> sets = model.get(seq);
                switch (random.nextInt(6)) {
                    case 0 -> {
                        node.targeted(update("final", Stage.LIVE, seq), device);
                        if (sets != null) {
                            sets.get(0).add(device);
                        }
                    }
                    case 1, 2 -> {
                        node.written(update("final", Stage.LIVE, seq), device);
                        if (sets != null) {
                            sets.get(0).add(device);
                            sets.get(1).add(device);
                        }
                    }
                    case 3, 4 -> {
                        if (random.nextBoolean()) {
                            node.acked("final", seq, device, afterMillis(step));
                        } else {
                            node.reported("final", seq, device);
                        }
                        model.forEach((kept, k) -> {
                            if (kept <= seq && k.get(0).contains(device)) {
                                k.get(2).add(device);
                            }
                        });
                    }
                    default -> node.snapshot();
                }
            }
            List<String> expected = new ArrayList<>();
            model.forEach((kept, k) -> expected.add(kept + ":" + k.get(0).size() + "/" + k.get(1).size() + "/" + k.get(2).size()));
            assertThat(figures(node.snapshot(), "final")).as("round %d", round).isEqualTo(expected);
        }
    }

    /** Two connections of one device (one replacing the other) mark at once while reports sweep: counted once. */
    @Test
    void overlappingConnectionsOfADeviceAndSweepsCountEachDeviceOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            for (long seq = 1; seq <= 30; seq++) {
                StageUpdate update = update("final", Stage.LIVE, seq);
                List<Future<?>> work = new ArrayList<>();
                for (int connection = 0; connection < 2; connection++) {
                    work.add(pool.submit(() -> {
                        for (int i = 0; i < 200; i++) {
                            stats.written(update, "d" + i);
                            stats.acked("final", update.getSeq(), "d" + i, afterMillis(1));
                        }
                    }));
                }
                work.add(pool.submit(() -> {
                    for (int i = 0; i < 20; i++) {
                        stats.snapshot();
                    }
                }));
                for (Future<?> f : work) {
                    f.get(30, TimeUnit.SECONDS);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(figures(stats.snapshot(), "final")).containsExactly("28:200/200/200", "29:200/200/200", "30:200/200/200");
    }

    /** The per-device state of a seq is made once per device and event, so a broadcast allocates nothing per device. */
    @Test
    void aBroadcastToDevicesThatAlreadyHeardOfTheEventAllocatesNothingPerDevice() {
        int devices = 20_000;
        String[] ids = new String[devices];
        for (int i = 0; i < devices; i++) {
            ids[i] = "device-" + i;
        }
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        for (long seq = 1; seq <= 6; seq++) { // the first seq makes each device's marks; the rest only set them
            DeliveryStats.Tally tally = stats.tally(update("final", Stage.LIVE, seq));
            long before = threads.getThreadAllocatedBytes(thread);
            for (String id : ids) {
                tally.written(id);
            }
            long allocated = threads.getThreadAllocatedBytes(thread) - before;
            if (seq > 1) {
                assertThat(allocated).as("bytes allocated by a broadcast of seq %d to %d devices", seq, devices)
                        .isLessThan(devices);
            }
        }
        assertThat(figures(stats.snapshot(), "final")).containsExactly("4:20000/20000/0", "5:20000/20000/0", "6:20000/20000/0");
    }
}
