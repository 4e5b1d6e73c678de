package io.kickoff.lsm.delivery;

import io.kickoff.bus.BusRecord;
import io.kickoff.bus.Topic;
import io.kickoff.protocol.Timestamps;
import io.kickoff.protocol.delivery.DeliveryReports;
import io.kickoff.protocol.v1.DeliveryReport;
import io.kickoff.protocol.v1.EventDelivery;
import java.time.Instant;
import java.util.List;
import org.HdrHistogram.Histogram;

/** Gateway delivery reports as they arrive on {@code kickoff.delivery}, all issued and reported at {@code at}. */
public record DeliveryFixtures(Instant at) {

    /** One node's report, as the bus record the board consumes. */
    public BusRecord report(String node, EventDelivery... deliveries) {
        DeliveryReport report = DeliveryReport.newBuilder().setNodeId(node).setAt(Timestamps.of(at))
                .addAllEvents(List.of(deliveries)).build();
        return new BusRecord(Topic.DELIVERY, node, report.toByteArray(), 0);
    }

    /** The figures of one (event, seq), with an ack-latency histogram of the given samples. */
    public EventDelivery delivery(String event, long seq, long targeted, long written, long acked, long... latencyMicros) {
        Histogram h = new Histogram(DeliveryReports.SIGNIFICANT_DIGITS);
        for (long micros : latencyMicros) {
            h.recordValue(micros);
        }
        return DeliveryReports.percentiles(EventDelivery.newBuilder().setEventId(event).setSeq(seq)
                        .setIssuedAt(Timestamps.of(at)).setTargeted(targeted).setWritten(written).setAcked(acked), h)
                .setAckLatencyHistogram(DeliveryReports.encode(h)).build();
    }
}
