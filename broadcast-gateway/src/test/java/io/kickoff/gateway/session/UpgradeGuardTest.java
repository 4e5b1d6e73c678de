package io.kickoff.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.gateway.Fixtures;
import io.kickoff.protocol.WireFormat;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class UpgradeGuardTest {
    final String token = Fixtures.TOKENS.issue("d1", "us-en", Duration.ofHours(1));

    static FullHttpRequest upgrade(String uri, String subprotocols, String bearer) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        request.headers().set(HttpHeaderNames.UPGRADE, "websocket").set(HttpHeaderNames.CONNECTION, "Upgrade");
        if (subprotocols != null) {
            request.headers().set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, subprotocols);
        }
        if (bearer != null) {
            request.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + bearer);
        }
        return request;
    }

    static EmbeddedChannel channel(boolean ready) {
        return new EmbeddedChannel(new UpgradeGuard(Fixtures.TOKENS, () -> ready, new io.kickoff.gateway.metrics.GatewayMetrics("gw-test")));
    }

    static int refusal(EmbeddedChannel ch) {
        FullHttpResponse response = ch.readOutbound();
        try {
            return response.status().code();
        } finally {
            response.release();
        }
    }

    @Test
    void validTokenInHeaderPassesAndLeavesASession() {
        EmbeddedChannel ch = channel(true);
        ch.writeInbound(upgrade("/v1/connect", "kickoff.v1.json", token));
        FullHttpRequest passed = ch.readInbound();
        assertThat(passed).isNotNull();
        passed.release();
        DeviceSession session = ch.attr(DeviceSession.KEY).get();
        assertThat(session.deviceId()).isEqualTo("d1");
        assertThat(session.segment()).isEqualTo("us-en");
        assertThat(session.format()).isEqualTo(WireFormat.JSON);
    }

    @Test
    void tokenInQueryIsAccepted() {
        EmbeddedChannel ch = channel(true);
        ch.writeInbound(upgrade("/v1/connect?token=" + token, "mqtt, kickoff.v1.proto", null));
        FullHttpRequest passed = ch.readInbound();
        assertThat(passed).isNotNull();
        passed.release();
        assertThat(ch.attr(DeviceSession.KEY).get().format()).isEqualTo(WireFormat.PROTOBUF);
    }

    @Test
    void missingOrBadTokenIs401AndCloses() {
        for (String bad : new String[] {null, "garbage", Fixtures.TOKENS.issue("d1", "s", Duration.ofSeconds(-1))}) {
            EmbeddedChannel ch = channel(true);
            ch.writeInbound(upgrade("/v1/connect", "kickoff.v1.proto", bad));
            assertThat(refusal(ch)).isEqualTo(401);
            assertThat((Object) ch.readInbound()).isNull();
            assertThat(ch.isOpen()).isFalse();
        }
    }

    @Test
    void unknownSubprotocolIs400() {
        EmbeddedChannel ch = channel(true);
        ch.writeInbound(upgrade("/v1/connect", "mqtt", token));
        assertThat(refusal(ch)).isEqualTo(400);
        EmbeddedChannel none = channel(true);
        none.writeInbound(upgrade("/v1/connect", null, token));
        assertThat(refusal(none)).isEqualTo(400);
    }

    @Test
    void notReadyIs503WithRetryAfter() {
        EmbeddedChannel ch = channel(false);
        ch.writeInbound(upgrade("/v1/connect", "kickoff.v1.proto", token));
        FullHttpResponse response = ch.readOutbound();
        assertThat(response.status().code()).isEqualTo(503);
        assertThat(response.headers().get(HttpHeaderNames.RETRY_AFTER)).isNotBlank();
        response.release();
    }
}
