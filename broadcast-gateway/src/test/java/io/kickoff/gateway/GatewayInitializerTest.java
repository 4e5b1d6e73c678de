package io.kickoff.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The pipeline of a connection, through a real upgrade request, as bytes. */
class GatewayInitializerTest {
    final GatewayConfig config = GatewayConfig.builder().build();
    final GatewayMetrics metrics = new GatewayMetrics("gw-test");
    final SessionRegistry registry = new SessionRegistry();
    final SessionServices services = new SessionServices(config, new WorldState(), registry, Fixtures.CLOCK, metrics,
            new DeliveryStats("gw-test", Fixtures.CLOCK, registry::size), new BundleDelivery(config, registry, metrics, Fixtures.CLOCK),
            new Farewells(metrics), () -> false, Fixtures.viewing());
    final AdmissionControl admission = new AdmissionControl(config, metrics);
    final HttpEndpoints endpoints = new HttpEndpoints(() -> true, metrics, Optional.empty(),
            () -> CompletableFuture.completedFuture(null));
    final GatewayInitializer initializer = new GatewayInitializer(services, Fixtures.TOKENS, () -> true, admission, endpoints);
    final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void release() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    EmbeddedChannel connection() {
        EmbeddedChannel ch = new EmbeddedChannel(initializer);
        channels.add(ch);
        return ch;
    }

    static ByteBuf ascii(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
    }

    /** Connects a device through the whole upgrade and returns its channel; asserts the 101. */
    EmbeddedChannel upgraded(String deviceId) {
        EmbeddedChannel ch = connection();
        String token = Fixtures.TOKENS.issue(deviceId, "us-en", Duration.ofHours(1));
        ch.writeInbound(ascii("GET /v1/connect HTTP/1.1\r\nHost: gw.example\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Protocol: kickoff.v1.json\r\nAuthorization: Bearer " + token + "\r\n\r\n"));
        ch.runPendingTasks();
        assertThat(outboundText(ch)).startsWith("HTTP/1.1 101 Switching Protocols");
        return ch;
    }

    /** Everything the channel wrote so far, as text (released). */
    static String outboundText(EmbeddedChannel ch) {
        StringBuilder text = new StringBuilder();
        Object out;
        while ((out = ch.readOutbound()) != null) {
            text.append(((ByteBuf) out).toString(StandardCharsets.ISO_8859_1));
            ReferenceCountUtil.release(out);
        }
        return text.toString();
    }

    @Test
    void aDeviceConnectionKeepsNoHttpHandlerNorTheHandshakerAfterTheHandshake() {
        EmbeddedChannel ch = upgraded("d1");

        assertThat(ch.pipeline().names()).doesNotContainAnyElementsOf(GatewayInitializer.HTTP_ONLY)
                .doesNotContain("http", "http-aggregate", "upgrade-deadline", "upgrade-guard")
                .contains("activity", "websocket", "reassemble", "server-frames", "session");
        assertThat(ch.hasAttr(AttributeKey.valueOf(WebSocketServerHandshaker.class, "HANDSHAKER")))
                .as("the handshaker is not kept for the life of the connection").isFalse();
        assertThat(ch.attr(DeviceSession.KEY).get().deviceId()).isEqualTo("d1");
        assertThat(admission.devicesAdmitted()).isEqualTo(1);
        assertThat(admission.openConnections()).isEqualTo(1);
    }

    @Test
    void theDeviceSlotAndTheConnectionAreGivenBackExactlyOnceWhenItCloses() {
        EmbeddedChannel first = upgraded("d1");
        EmbeddedChannel second = upgraded("d2");
        assertThat(admission.devicesAdmitted()).isEqualTo(2);

        first.close();
        first.close();
        first.runPendingTasks();

        assertThat(admission.devicesAdmitted()).isEqualTo(1);
        assertThat(admission.openConnections()).isEqualTo(1);
        second.close();
        assertThat(admission.devicesAdmitted()).isZero();
        assertThat(admission.openConnections()).isZero();
    }

    @Test
    void aConnectionThatNeverUpgradesKeepsItsEndpointsAndIsCountedOnce() {
        EmbeddedChannel ch = connection();
        ch.writeInbound(ascii("GET /healthz HTTP/1.1\r\nHost: gw.example\r\n\r\n"));
        assertThat(outboundText(ch)).startsWith("HTTP/1.1 200 OK");
        assertThat(ch.pipeline().names()).containsAll(GatewayInitializer.HTTP_ONLY);
        assertThat(admission.openConnections()).isEqualTo(1);
        assertThat(admission.devicesAdmitted()).isZero();

        ch.close();
        assertThat(admission.openConnections()).isZero();
    }

    @Test
    void aCloseFromTheDeviceIsAnsweredWithTheSameCloseThenTheConnectionCloses() {
        EmbeddedChannel ch = upgraded("d1");
        // FIN + close opcode, masked, 2 bytes of payload: status 1000.
        byte[] mask = {0x11, 0x22, 0x33, 0x44};
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0x88, (byte) 0x82, mask[0], mask[1], mask[2], mask[3],
                (byte) (0x03 ^ mask[0]), (byte) (0xe8 ^ mask[1])}));
        ch.runPendingTasks();

        ByteBuf answer = ch.readOutbound();
        try {
            assertThat((int) answer.getUnsignedByte(0)).as("FIN + close").isEqualTo(0x88);
            assertThat((int) answer.getUnsignedByte(1)).as("unmasked, 2 bytes").isEqualTo(2);
            assertThat(answer.getUnsignedShort(2)).as("the device's status").isEqualTo(1000);
        } finally {
            answer.release();
        }
        assertThat(ch.isOpen()).isFalse();
        assertThat(admission.devicesAdmitted()).isZero();
    }
}
