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

    static EventDelivery only(DeliveryReport report) {
        assertThat(report.getEventsCount()).isEqualTo(1);
        return report.getEvents(0);
    }

    @Test
    void countsTargetedWrittenAndAckedPerEventAndSeq() {
        StageUpdate live = update("final", Stage.LIVE, 4);
        stats.targeted(live, 3);
        stats.targeted(live, 4);
        stats.written(live, 6);
        stats.written(live, 1);
        stats.acked(live, afterMillis(10));
        stats.acked(live, afterMillis(20));
        stats.targeted(update("semi", Stage.PRE_SHOW, 2), 5);

        DeliveryReport report = stats.snapshot();
        assertThat(report.getNodeId()).isEqualTo("node-a");
        assertThat(report.getConnections()).isEqualTo(42);
        assertThat(Timestamps.toInstant(report.getAt())).isEqualTo(NOW);
        assertThat(report.getEventsList()).extracting(EventDelivery::getEventId, EventDelivery::getSeq)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("final", 4L), org.assertj.core.groups.Tuple.tuple("semi", 2L));
        EventDelivery finalLive = report.getEvents(0);
        assertThat(finalLive.getTargeted()).isEqualTo(7);
        assertThat(finalLive.getWritten()).isEqualTo(7);
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
        for (int ms = 1; ms <= 100; ms++) {
            stats.acked(live, afterMillis(ms));
        }
        EventDelivery d = only(stats.snapshot());
        // Two significant digits: every figure is within 1%.
        assertThat(d.getP50Ms()).isCloseTo(50, within(0.5));
        assertThat(d.getP99Ms()).isCloseTo(99, within(1.0));
        assertThat(d.getMaxMs()).isCloseTo(100, within(1.0));
    }

    @Test
    void snapshotsAreCumulativeAndTheHistogramDecodes() throws Exception {
        StageUpdate live = update("final", Stage.LIVE, 1);
        for (int ms = 1; ms <= 50; ms++) {
            stats.acked(live, afterMillis(ms));
        }
        assertThat(only(stats.snapshot()).getAcked()).isEqualTo(50);
        for (int ms = 51; ms <= 100; ms++) {
            stats.acked(live, afterMillis(ms));
        }
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
            stats.targeted(update("final", Stage.LIVE, seq), 1);
        }
        stats.targeted(update("final", Stage.LIVE, 1), 1); // too old now: not worth a slot
        stats.acked(update("final", Stage.LIVE, 2), afterMillis(5));
        assertThat(stats.snapshot().getEventsList()).extracting(EventDelivery::getSeq)
                .containsExactly(3L, 4L, 5L);
        stats.targeted(update("final", Stage.ENDED, 9), 1);
        stats.targeted(update("semi", Stage.LIVE, 1), 1);
        assertThat(stats.snapshot().getEventsList()).extracting(e -> e.getEventId() + "#" + e.getSeq())
                .containsExactly("final#4", "final#5", "final#9", "semi#1");
    }

    @Test
    void forgottenEventsLeaveTheReport() {
        stats.targeted(update("final", Stage.ENDED, 7), 1);
        stats.targeted(update("semi", Stage.LIVE, 1), 1);
        stats.forget("final");
        assertThat(stats.snapshot().getEventsList()).extracting(EventDelivery::getEventId).containsExactly("semi");
    }

    @Test
    void negativeLatencyFromSkewedClocksCountsAsZero() {
        StageUpdate live = update("final", Stage.LIVE, 1);
        stats.acked(live, NOW_MICROS - 5_000);
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
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 10_000; i++) {
                        stats.targeted(live, 1);
                        stats.written(live, 1);
                        stats.acked(live, afterMillis(1 + i % 200));
                    }
                }));
            }
            // Snapshots while recording, as the reporter thread does.
            while (!futures.stream().allMatch(Future::isDone)) {
                stats.snapshot();
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
        stats.targeted(live, 100);
        stats.written(live, 100);
        other.targeted(live, 100);
        other.written(live, 99);
        for (int ms = 1; ms <= 100; ms++) {
            stats.acked(live, afterMillis(ms));
            other.acked(live, afterMillis(100 + ms));
        }
        other.acked(update("semi", Stage.LIVE, 1), afterMillis(7));

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
}
