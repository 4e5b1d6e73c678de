package io.kickoff.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.gateway.admission.AdmissionControl;
import io.kickoff.gateway.bundle.BundleDelivery;
import io.kickoff.gateway.delivery.DeliveryStats;
import io.kickoff.gateway.http.HttpEndpoints;
import io.kickoff.gateway.metrics.GatewayMetrics;
import io.kickoff.gateway.session.Farewells;
import io.kickoff.gateway.session.SessionRegistry;
import io.kickoff.gateway.session.SessionServices;
import io.kickoff.gateway.state.WorldState;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GatewayInitializerTest {
    final GatewayConfig config = GatewayConfig.builder().build();
    final GatewayMetrics metrics = new GatewayMetrics("gw-test");
    final SessionRegistry registry = new SessionRegistry();
    final SessionServices services = new SessionServices(config, new WorldState(), registry, Fixtures.CLOCK, metrics,
            new DeliveryStats("gw-test", Fixtures.CLOCK, registry::size), new BundleDelivery(config, registry, metrics, Fixtures.CLOCK),
            new Farewells(metrics), () -> false);
    final AdmissionControl admission = new AdmissionControl(config, metrics);
    final HttpEndpoints endpoints = new HttpEndpoints(() -> true, metrics, Optional.empty(), () -> CompletableFuture.completedFuture(null));
    final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void release() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    EmbeddedChannel connection() {
        EmbeddedChannel ch = new EmbeddedChannel(new GatewayInitializer(services, Fixtures.TOKENS, () -> true, admission, endpoints));
        channels.add(ch);
        return ch;
    }

    static ByteBuf upgradeRequest(String token) {
        return Unpooled.copiedBuffer("GET /v1/connect HTTP/1.1\r\nHost: gw.example\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Protocol: kickoff.v1.json\r\nAuthorization: Bearer " + token + "\r\n\r\n", StandardCharsets.US_ASCII);
    }

    @Test
    void discover() {
        EmbeddedChannel ch = connection();
        System.out.println("BEFORE " + ch.pipeline().names());
        ch.writeInbound(upgradeRequest(Fixtures.TOKENS.issue("d1", "us-en", Duration.ofHours(1))));
        Object out;
        while ((out = ch.readOutbound()) != null) {
            System.out.println("OUT " + (out instanceof ByteBuf b ? b.toString(StandardCharsets.US_ASCII) : out));
            ReferenceCountUtil.release(out);
        }
        System.out.println("AFTER " + ch.pipeline().names());
        System.out.println("SLOTS " + admission.devicesAdmitted() + " open " + admission.openConnections());
    }
}
