package io.kickoff.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kickoff.bus.EventBus;
import io.kickoff.bus.Topic;
import io.kickoff.gateway.Gateway;
import io.kickoff.gateway.testing.TestGateways;
import io.kickoff.protocol.Timestamps;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.StageUpdate;
import io.kickoff.simulator.DeviceFleet;
import io.kickoff.testkit.TestKafka;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A device that stops reading must not make the gateway buffer without bound, nor slow the
 * others down. Its own broker: the flood of updates here would otherwise be every later test's
 * state of the world.
 */
class SlowReaderIT {
    static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    static final TestKafka kafka = new TestKafka();
    @RegisterExtension
    final TestGateways gateways = TestGateways.onKafka(kafka, GatewayIT.TOKENS);

    @Test
    void aReaderThatStopsReadingIsClosedAndDoesNotHoldUpOthers() throws Exception {
        Gateway gateway = gateways.startReady("slow-gw", b -> b.writeBuffer(1024, 2048).slowConsumerTimeout(Duration.ofSeconds(1)));
        EventBus publisher = gateways.bus("slow-pub");
        try (DeviceFleet healthy = gateways.fleet(List.of(TestGateways.uri(gateway)), 1, "healthy");
             Socket stalled = stalledDevice(gateway.port(), "stalled")) {
            healthy.connectAll().get(60, TimeUnit.SECONDS);
            await().atMost(WAIT).until(() -> gateway.connectedDevices() == 2);

            // Far more than the kernel's socket buffers hold: ~8 MB of updates.
            String padding = "x".repeat(8 * 1024);
            List<CompletableFuture<Void>> acks = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                StageUpdate u = StageUpdate.newBuilder().setEventId("flood-" + i).setStage(Stage.LIVE).setSeq(1)
                        .setIssuedAt(Timestamps.of(Instant.now())).setReason(padding).build();
                acks.add(publisher.publish(Topic.STAGES, u.getEventId(), u.toByteArray()));
            }
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).orTimeout(60, TimeUnit.SECONDS).join();

            await().atMost(WAIT).until(() ->
                    gateway.metrics().count("kickoff_gateway_closes", "reason", "slow_consumer") == 1);
            // Writes to the stalled device were withheld, not queued without bound.
            assertThat(gateway.metrics().count("kickoff_gateway_update_writes_withheld")).isPositive();
            // The healthy device gets every update (1000 events over the topic's partitions: in no order among them).
            await().atMost(WAIT).until(() -> healthy.countDevices(d -> d.appliedUpdates().size() == 1000) == 1);
            await().atMost(WAIT).until(() -> gateway.connectedDevices() == 1);
            // The healthy device kept its one connection throughout: nothing but the stalled one was closed.
            assertThat(gateway.metrics().count("kickoff_gateway_connects")).isEqualTo(2);
        }
    }

    /** A device that upgrades, says hello, and then never reads again (small receive buffer). */
    static Socket stalledDevice(int port, String id) throws Exception {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        OutputStream out = socket.getOutputStream();
        out.write(UpgradeEdgeIT.valid("/v1/connect", GatewayIT.token(id)).getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IllegalStateException("closed during the handshake: " + head);
            }
            head.append((char) b);
        }
        if (!head.toString().startsWith("HTTP/1.1 101")) {
            throw new IllegalStateException("upgrade refused: " + head);
        }
        byte[] hello = "{\"hello\":{}}".getBytes(StandardCharsets.UTF_8);
        byte[] mask = {1, 2, 3, 4};
        byte[] frame = new byte[2 + 4 + hello.length];
        frame[0] = (byte) 0x81; // FIN + text
        frame[1] = (byte) (0x80 | hello.length);
        System.arraycopy(mask, 0, frame, 2, 4);
        for (int i = 0; i < hello.length; i++) {
            frame[6 + i] = (byte) (hello[i] ^ mask[i % 4]);
        }
        out.write(frame);
        out.flush();
        return socket;
    }
}
