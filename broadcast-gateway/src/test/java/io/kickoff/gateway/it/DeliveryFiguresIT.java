package io.kickoff.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kickoff.bus.StartFrom;
import io.kickoff.bus.Subscription;
import io.kickoff.bus.Topic;
import io.kickoff.gateway.Gateway;
import io.kickoff.protocol.delivery.DeliveryReports;
import io.kickoff.protocol.token.DeviceTokens;
import io.kickoff.protocol.v1.DeliveryReport;
import io.kickoff.protocol.v1.EventDelivery;
import io.kickoff.protocol.v1.ServerFrame;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.StageUpdate;
import io.kickoff.simulator.DeviceFleet;
import io.kickoff.testkit.TestKafka;
import io.kickoff.gateway.testing.TestGateways;
import io.kickoff.gateway.testing.RawDevice;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Delivery figures of one stage update across three gateways on a real Kafka, as the Live State
 * Manager's board reads them (the latest report of each node, summed): devices connected before the
 * broadcast, devices connecting while it lands, devices that withhold their ack (redeliveries) and
 * devices that lose their connection before acking and come back to the same node. Throughout,
 * written and acked never exceed targeted; in the end every figure equals the number of devices.
 */
class DeliveryFiguresIT {
    static final DeviceTokens TOKENS = DeviceTokens.withSecret("delivery-it-secret-delivery-it-secret!");
    static final Duration WAIT = Duration.ofSeconds(60);
    static final int BEFORE = 30;
    static final int DURING = 30;
    static final int SILENT_THEN_ACK = 6;
    static final int RECONNECTING = 6;

    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    @RegisterExtension
    final TestGateways gateways = TestGateways.onKafka(kafka, TOKENS);

    /** Started without waiting: the three start side by side. */
    Gateway gateway(String node) throws Exception {
        return gateways.start(node, b -> b.ackTimeout(Duration.ofMillis(300)).maxRedeliveries(3)
                .deliveryReportInterval(Duration.ofMillis(200)));
    }

    static boolean holds(RawDevice device, String eventId, long seq) {
        return device.received.stream().anyMatch(f -> f.getFrameCase() == ServerFrame.FrameCase.STAGE_UPDATE
                        && f.getStageUpdate().getEventId().equals(eventId) && f.getStageUpdate().getSeq() == seq)
                || device.all(ServerFrame.FrameCase.WELCOME).stream().anyMatch(w -> w.getWelcome().getSnapshotList()
                        .stream().anyMatch(u -> u.getEventId().equals(eventId) && u.getSeq() == seq));
    }

    static long copiesOf(RawDevice device, String eventId) {
        return device.all(ServerFrame.FrameCase.STAGE_UPDATE).stream()
                .filter(f -> f.getStageUpdate().getEventId().equals(eventId)).count();
    }

    @Test
    void figuresOfSeveralGatewaysStayWithinTargetedAndEndAtTheDeviceCount() throws Exception {
        List<Gateway> nodes = List.of(gateway("gw-a"), gateway("gw-b"), gateway("gw-c"));
        await().atMost(WAIT).until(() -> nodes.stream().allMatch(Gateway::isReady));
        List<URI> uris = nodes.stream().map(TestGateways::uri).toList();
        String event = "figures-" + UUID.randomUUID().toString().substring(0, 8);

        // The board's view: the latest report of each node, merged; every merged figure seen is kept.
        Map<String, DeliveryReport> latest = new ConcurrentHashMap<>();
        List<EventDelivery> seen = new CopyOnWriteArrayList<>();
        Subscription reports = gateways.bus("board").subscribe(Topic.DELIVERY, StartFrom.NOW, record -> {
            try {
                DeliveryReport report = DeliveryReport.parseFrom(record.value());
                latest.put(record.key(), report);
                merged(latest, event).ifPresent(seen::add);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        gateways.closeAfter(reports::close);

        DeviceFleet before = gateways.fleet(uris, BEFORE, "before-");
        before.connectAll().get(60, TimeUnit.SECONDS);
        List<RawDevice> silent = new ArrayList<>();
        List<RawDevice> reconnecting = new ArrayList<>();
        for (int i = 0; i < SILENT_THEN_ACK; i++) {
            silent.add(gateways.device(nodes.get(i % 3), "silent-" + i).hello(Map.of()));
        }
        for (int i = 0; i < RECONNECTING; i++) {
            reconnecting.add(gateways.device(nodes.get(i % 3), "back-" + i).hello(Map.of()));
        }
        int connectedBefore = BEFORE + SILENT_THEN_ACK + RECONNECTING;
        await().atMost(WAIT).until(() -> nodes.stream().mapToInt(Gateway::connectedDevices).sum() == connectedBefore);

        StageUpdate live = TestGateways.update(event, Stage.LIVE, 1);
        CompletableFuture<Void> published = gateways.bus("producer").publish(Topic.STAGES, event, live.toByteArray());
        // Devices connecting while the broadcast lands: fan-out or welcome snapshot, never both counted.
        DeviceFleet during = gateways.fleet(uris, DURING, "during-");
        during.connectAll().get(60, TimeUnit.SECONDS);
        published.get(30, TimeUnit.SECONDS);

        // Silent devices are sent the update again and again before they ack.
        await().atMost(WAIT).until(() -> silent.stream().allMatch(d -> copiesOf(d, event) >= 2));
        silent.forEach(d -> d.ack(event, 1));
        // Reconnecting devices lose their connection before acking, come back to the same node without
        // having applied it, get it again in the welcome and ack it there.
        await().atMost(WAIT).until(() -> reconnecting.stream().allMatch(d -> holds(d, event, 1)));
        for (int i = 0; i < RECONNECTING; i++) {
            reconnecting.get(i).socket.abort();
            RawDevice again = gateways.device(nodes.get(i % 3), "back-" + i).hello(Map.of());
            await().atMost(WAIT).until(() -> holds(again, event, 1));
            again.ack(event, 1);
        }

        int devices = connectedBefore + DURING;
        await().atMost(WAIT).untilAsserted(() -> {
            EventDelivery d = merged(latest, event).orElseThrow();
            assertThat(d.getTargeted()).isEqualTo(devices);
            assertThat(d.getWritten()).isEqualTo(devices);
            assertThat(d.getAcked()).isEqualTo(devices);
        });
        assertThat(seen).isNotEmpty().allSatisfy(d -> {
            assertThat(d.getWritten()).isLessThanOrEqualTo(d.getTargeted());
            assertThat(d.getAcked()).isLessThanOrEqualTo(d.getTargeted());
            assertThat(d.getTargeted()).isLessThanOrEqualTo(devices);
        });
        // Redeliveries happened: the old per-frame counting would have put written above targeted.
        assertThat(nodes.stream().mapToDouble(g -> g.metrics().count("kickoff_gateway_redeliveries")).sum()).isPositive();
    }

    static Optional<EventDelivery> merged(Map<String, DeliveryReport> latest, String event) {
        List<EventDelivery> lines = DeliveryReports.mergeReports(List.copyOf(latest.values())).stream()
                .filter(d -> d.getEventId().equals(event) && d.getSeq() == 1).toList();
        return lines.isEmpty() ? Optional.empty() : Optional.of(lines.get(0));
    }
}
