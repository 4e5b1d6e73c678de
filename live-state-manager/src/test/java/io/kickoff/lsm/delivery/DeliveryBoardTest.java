package io.kickoff.lsm.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.bus.BusRecord;
import io.kickoff.bus.Topic;
import io.kickoff.testkit.MutableClock;
import io.kickoff.protocol.Timestamps;
import io.kickoff.protocol.delivery.DeliveryReports;
import io.kickoff.protocol.v1.DeliveryReport;
import io.kickoff.protocol.v1.EventDelivery;
import com.google.protobuf.ByteString;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeliveryBoardTest {
    static final Instant T0 = Instant.parse("2026-11-21T21:00:00Z");
    static final DeliveryFixtures reports = new DeliveryFixtures(T0);

    final MutableClock clock = new MutableClock(T0);
    final DeliveryBoard board = new DeliveryBoard(clock);

    @Test
    void mergesTheLatestReportOfTwoNodesPerSeqNewestFirst() {
        board.onRecord(reports.report("gw-1", reports.delivery("final", 1, 1000, 1000, 900, 2_000, 4_000),
                reports.delivery("final", 2, 1000, 800, 500, 10_000), reports.delivery("other", 1, 5, 5, 5, 1_000)));
        board.onRecord(reports.report("gw-2", reports.delivery("final", 1, 500, 500, 500, 100_000)));

        List<EventDelivery> merged = board.forEvent("final");

        assertThat(merged).extracting(EventDelivery::getSeq).containsExactly(2L, 1L);
        EventDelivery seq1 = merged.get(1);
        assertThat(seq1.getEventId()).isEqualTo("final");
        assertThat(seq1.getTargeted()).isEqualTo(1500);
        assertThat(seq1.getWritten()).isEqualTo(1500);
        assertThat(seq1.getAcked()).isEqualTo(1400);
        assertThat(DeliveryReports.histogram(seq1).getTotalCount()).isEqualTo(3);
        assertThat(seq1.getMaxMs()).isBetween(99.0, 101.0);
        assertThat(seq1.getP50Ms()).isBetween(3.9, 4.1);
        EventDelivery seq2 = merged.get(0);
        assertThat(seq2.getTargeted()).isEqualTo(1000);
        assertThat(seq2.getAcked()).isEqualTo(500);
        assertThat(board.lines("final")).extracting(DeliveryBoard.Line::nodes).containsExactly(1, 2);
        assertThat(board.nodeCount()).isEqualTo(2);
        assertThat(board.forEvent("other")).singleElement().extracting(EventDelivery::getAcked).isEqualTo(5L);
        assertThat(board.forEvent("unknown")).isEmpty();
    }

    @Test
    void eachLineKeepsEveryNodesOwnFigures() {
        board.onRecord(reports.report("gw-1", reports.delivery("final", 1, 1000, 1000, 900, 2_000, 4_000),
                reports.delivery("final", 2, 1000, 800, 500, 10_000)));
        board.onRecord(reports.report("gw-2", reports.delivery("final", 1, 500, 500, 500, 100_000)));

        List<DeliveryBoard.Line> lines = board.lines("final");

        assertThat(lines.get(1).byNode()).containsOnlyKeys("gw-1", "gw-2");
        assertThat(lines.get(1).byNode().get("gw-1").getAcked()).isEqualTo(900);
        assertThat(lines.get(1).byNode().get("gw-2").getAcked()).isEqualTo(500);
        assertThat(lines.get(1).byNode().get("gw-2").getMaxMs()).isBetween(99.0, 101.0);
        assertThat(lines.get(0).byNode()).containsOnlyKeys("gw-1");
        assertThat(lines.get(0).byNode().get("gw-1").getWritten()).isEqualTo(800);
    }

    @Test
    void aNewReportOfANodeReplacesItsPreviousOne() {
        board.onRecord(reports.report("gw-1", reports.delivery("final", 1, 100, 100, 10)));
        board.onRecord(reports.report("gw-1", reports.delivery("final", 1, 100, 100, 80)));

        assertThat(board.forEvent("final")).singleElement().extracting(EventDelivery::getAcked).isEqualTo(80L);
        assertThat(board.nodeCount()).isEqualTo(1);
    }

    @Test
    void forgetsNodesSilentForTenMinutes() {
        board.onRecord(reports.report("gw-1", reports.delivery("final", 1, 100, 100, 100)));
        board.onRecord(reports.report("gw-2", reports.delivery("final", 1, 50, 50, 50)));
        clock.advance(Duration.ofMinutes(9));
        board.onRecord(reports.report("gw-2", reports.delivery("final", 1, 60, 60, 60)));
        assertThat(board.forEvent("final")).singleElement().extracting(EventDelivery::getTargeted).isEqualTo(160L);

        clock.advance(Duration.ofMinutes(1).plusSeconds(1));

        assertThat(board.nodeIds()).containsExactly("gw-2");
        assertThat(board.forEvent("final")).singleElement().extracting(EventDelivery::getTargeted).isEqualTo(60L);
        assertThat(board.lines("final")).singleElement().extracting(DeliveryBoard.Line::nodes).isEqualTo(1);

        clock.advance(Duration.ofMinutes(10));
        assertThat(board.forEvent("final")).isEmpty();
        assertThat(board.nodeCount()).isZero();
    }

    @Test
    void badRecordsNeitherThrowNorSpoilTheBoard() {
        board.onRecord(reports.report("gw-1", reports.delivery("final", 1, 100, 100, 100, 1_000)));
        board.onRecord(new BusRecord(Topic.DELIVERY, "gw-2", new byte[] {(byte) 0xff, 0x01, 0x02}, 1));
        EventDelivery broken = reports.delivery("final", 1, 10, 10, 10).toBuilder()
                .setAckLatencyHistogram(ByteString.copyFromUtf8("not a histogram")).build();
        board.onRecord(reports.report("gw-3", broken));

        EventDelivery merged = board.forEvent("final").get(0);
        assertThat(merged.getTargeted()).as("gw-3's counters count, its histogram does not").isEqualTo(110);
        assertThat(DeliveryReports.histogram(merged).getTotalCount()).isEqualTo(1);
        assertThat(board.nodeIds()).containsExactlyInAnyOrder("gw-1", "gw-3");

        board.onRecord(new BusRecord(Topic.DELIVERY, "gw-3", null, 2));
        assertThat(board.nodeIds()).containsExactly("gw-1");
    }

    @Test
    void theNodeIdComesFromTheKeyOrElseTheReport() {
        DeliveryReport report = DeliveryReport.newBuilder().setNodeId("gw-9").setAt(Timestamps.of(T0))
                .addEvents(reports.delivery("final", 3, 1, 1, 1)).build();
        board.onRecord(new BusRecord(Topic.DELIVERY, null, report.toByteArray(), 0));

        assertThat(board.nodeIds()).containsExactly("gw-9");
    }

    @Test
    void aReportAboveItsTargetedIsClampedSoTheSumsKeepTheInequalities() {
        board.onRecord(reports.report("gw-old", reports.delivery("final", 1, 0, 300, 300, 1_000)));
        board.onRecord(reports.report("gw-1", reports.delivery("final", 1, 13, 13, 13, 1_000)));
        EventDelivery d = board.forEvent("final").get(0);
        assertThat(d.getTargeted()).isEqualTo(13);
        assertThat(d.getWritten()).isEqualTo(13);
        assertThat(d.getAcked()).isEqualTo(13);
    }

    @Test
    void keepsTheLatestBundleVersionPerSegmentAndNotTheBundle() {
        board.onBundleRecord(bundle("final", "us-en", "v1"));
        board.onBundleRecord(bundle("final", "us-en", "v2"));
        board.onBundleRecord(bundle("final", "br-pt", "v9"));
        board.onBundleRecord(new BusRecord(Topic.BUNDLES, "final:x", new byte[] {(byte) 0xff, 0x01}, 4)); // unreadable
        assertThat(board.bundleVersions("final")).containsExactly(java.util.Map.entry("br-pt", "v9"),
                java.util.Map.entry("us-en", "v2"));
        board.onBundleRecord(new BusRecord(Topic.BUNDLES, "final:br-pt", null, 5)); // tombstone
        assertThat(board.bundleVersions("final")).containsOnlyKeys("us-en");
        assertThat(board.bundleVersions("other")).isEmpty();
    }

    static BusRecord bundle(String event, String segment, String version) {
        io.kickoff.protocol.v1.Bundle b = io.kickoff.protocol.v1.Bundle.newBuilder().setEventId(event).setSegment(segment)
                .setVersion(version).putStages("LIVE", io.kickoff.protocol.v1.Rendering.newBuilder().setRowTitle("Live").build())
                .build();
        return new BusRecord(Topic.BUNDLES, event + ":" + segment, b.toByteArray(), 0);
    }
}
