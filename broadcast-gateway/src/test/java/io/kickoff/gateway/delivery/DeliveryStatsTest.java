package io.kickoff.gateway.delivery;

import io.kickoff.protocol.delivery.DeliveryReports;
import static io.kickoff.gateway.Fixtures.NOW;
import static io.kickoff.gateway.Fixtures.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.kickoff.gateway.Fixtures;
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
}
