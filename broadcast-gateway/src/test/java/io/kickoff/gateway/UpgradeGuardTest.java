package io.kickoff.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.http.RetryAfter;
import io.kickoff.protocol.WireFormat;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UpgradeGuardTest {
    final String token = Fixtures.TOKENS.issue("d1", "us-en", Duration.ofHours(1));
    final GatewayMetrics metrics = new GatewayMetrics("gw-test");
    final AtomicLong nanos = new AtomicLong();
    AuthFailureBudget authFailures = new AuthFailureBudget(100, 100, 100, nanos::get);
    final RetryAfter retryAfter = new RetryAfter(Duration.ofSeconds(1), Duration.ofSeconds(30), new SplittableRandom(7)::nextDouble);
    final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void closeChannels() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    /** A complete, valid WebSocket 13 upgrade request, but for the sub-protocols and token given. */
    static FullHttpRequest upgrade(String uri, String subprotocols, String bearer) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        request.headers().set(HttpHeaderNames.HOST, "gw.example").set(HttpHeaderNames.UPGRADE, "websocket")
                .set(HttpHeaderNames.CONNECTION, "keep-alive, Upgrade")
                .set(HttpHeaderNames.SEC_WEBSOCKET_KEY, "dGhlIHNhbXBsZSBub25jZQ==")
                .set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
        if (subprotocols != null) {
            request.headers().set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, subprotocols);
        }
        if (bearer != null) {
            request.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + bearer);
        }
        return request;
    }

    EmbeddedChannel channel(boolean ready) {
        return channel(ready, new InetSocketAddress("192.0.2.1", 40_000));
    }

    EmbeddedChannel channel(boolean ready, InetSocketAddress remote) {
        EmbeddedChannel ch = new EmbeddedChannel() {
            @Override
            protected SocketAddress remoteAddress0() {
                return remote;
            }
        };
        ch.pipeline().addLast(new UpgradeGuard(Fixtures.TOKENS, () -> ready, metrics, authFailures, retryAfter, new SegmentNames()));
        channels.add(ch);
        return ch;
    }

    record Refusal(int status, String contentType, String body, String connection, String retryAfter,
                   String header, boolean closed) {
    }

    /** Sends a request that must be refused: plain text, Connection: close, closed, request released. */
    static Refusal refused(EmbeddedChannel ch, FullHttpRequest request, String header) {
        ch.writeInbound(request);
        assertThat(ch.<Object>readInbound()).as("a refused request goes no further").isNull();
        assertThat(request.refCnt()).as("a refused request is released").isZero();
        FullHttpResponse response = ch.readOutbound();
        try {
            Refusal refusal = new Refusal(response.status().code(), response.headers().get(HttpHeaderNames.CONTENT_TYPE),
                    response.content().toString(StandardCharsets.UTF_8), response.headers().get(HttpHeaderNames.CONNECTION),
                    response.headers().get(HttpHeaderNames.RETRY_AFTER),
                    header == null ? null : response.headers().get(header), !ch.isOpen());
            assertThat(refusal.contentType()).startsWith("text/plain");
            assertThat(refusal.body()).isNotBlank();
            assertThat(refusal.connection()).isEqualToIgnoringCase("close");
            assertThat(refusal.closed()).isTrue();
            return refusal;
        } finally {
            response.release();
        }
    }

    static FullHttpRequest passed(EmbeddedChannel ch, FullHttpRequest request) {
        ch.writeInbound(request);
        FullHttpRequest passed = ch.readInbound();
        assertThat(passed).as("the request goes on to admission and the handshake").isSameAs(request);
        assertThat(ch.<Object>readOutbound()).isNull();
        return passed;
    }

    @Test
    void validTokenInHeaderPassesAndLeavesASession() {
        EmbeddedChannel ch = channel(true);
        passed(ch, upgrade("/v1/connect", "kickoff.v1.json", token)).release();
        DeviceSession session = ch.attr(DeviceSession.KEY).get();
        assertThat(session.deviceId()).isEqualTo("d1");
        assertThat(session.segment()).isEqualTo("us-en");
        assertThat(session.format()).isEqualTo(WireFormat.JSON);
        assertThat(ch.pipeline().get(UpgradeGuard.class)).as("the guard leaves once it has admitted").isNull();
    }

    @Test
    void tokenInQueryIsAccepted() {
        EmbeddedChannel ch = channel(true);
        passed(ch, upgrade("/v1/connect?token=" + token, "mqtt, kickoff.v1.proto", null)).release();
        assertThat(ch.attr(DeviceSession.KEY).get().format()).isEqualTo(WireFormat.PROTOBUF);
    }

    @Test
    void subprotocolsOfferedOnSeveralHeaderLinesAreOneList() {
        // RFC 6455 §11.3.4: the header may appear several times; the handshaker reads only one line.
        EmbeddedChannel ch = channel(true);
        FullHttpRequest request = upgrade("/v1/connect", "mqtt", token);
        request.headers().add(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, "kickoff.v1.json, kickoff.v1.proto");
        FullHttpRequest passed = passed(ch, request);
        assertThat(passed.headers().getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL))
                .containsExactly("mqtt, kickoff.v1.json, kickoff.v1.proto");
        passed.release();
        assertThat(ch.attr(DeviceSession.KEY).get().format()).isEqualTo(WireFormat.JSON);
    }

    @Test
    void missingOrBadTokenIs401AndCloses() {
        for (String bad : new String[] {null, "garbage", Fixtures.TOKENS.issue("d1", "s", Duration.ofSeconds(-1))}) {
            Refusal refusal = refused(channel(true), upgrade("/v1/connect", "kickoff.v1.proto", bad),
                    HttpHeaderNames.WWW_AUTHENTICATE.toString());
            assertThat(refusal.status()).isEqualTo(401);
            assertThat(refusal.header()).startsWith("Bearer");
        }
        assertThat(metrics.count("kickoff_gateway_upgrades_refused", "reason", "unauthorized")).isEqualTo(3);
    }

    @Test
    void unknownSubprotocolIs400() {
        assertThat(refused(channel(true), upgrade("/v1/connect", "mqtt", token), null).status()).isEqualTo(400);
        assertThat(refused(channel(true), upgrade("/v1/connect", null, token), null).status()).isEqualTo(400);
    }

    @Test
    void notAWebSocketUpgradeIs400InPlainText() {
        FullHttpRequest post = upgrade("/v1/connect", "kickoff.v1.json", token);
        post.setMethod(HttpMethod.POST);
        FullHttpRequest noUpgrade = upgrade("/v1/connect", "kickoff.v1.json", token);
        noUpgrade.headers().remove(HttpHeaderNames.UPGRADE);
        FullHttpRequest noConnection = upgrade("/v1/connect", "kickoff.v1.json", token);
        noConnection.headers().set(HttpHeaderNames.CONNECTION, "keep-alive");
        FullHttpRequest noKey = upgrade("/v1/connect", "kickoff.v1.json", token);
        noKey.headers().remove(HttpHeaderNames.SEC_WEBSOCKET_KEY);
        FullHttpRequest noVersion = upgrade("/v1/connect", "kickoff.v1.json", token);
        noVersion.headers().remove(HttpHeaderNames.SEC_WEBSOCKET_VERSION);
        for (FullHttpRequest request : List.of(post, noUpgrade, noConnection, noKey, noVersion)) {
            assertThat(refused(channel(true), request, null).status()).isEqualTo(400);
        }
        assertThat(metrics.count("kickoff_gateway_upgrades_refused", "reason", "bad_request")).isEqualTo(5);
    }

    @Test
    void anotherWebSocketVersionIs426AndCloses() {
        for (String version : List.of("8", "12", "14")) {
            FullHttpRequest request = upgrade("/v1/connect", "kickoff.v1.json", token);
            request.headers().set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, version);
            Refusal refusal = refused(channel(true), request, HttpHeaderNames.SEC_WEBSOCKET_VERSION.toString());
            assertThat(refusal.status()).isEqualTo(426);
            assertThat(refusal.header()).isEqualTo("13");
        }
    }

    @Test
    void notReadyIs503WithAJitteredRetryAfter() {
        Set<String> retryAfters = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            Refusal refusal = refused(channel(false), upgrade("/v1/connect", "kickoff.v1.proto", token), null);
            assertThat(refusal.status()).isEqualTo(503);
            assertThat(Long.parseLong(refusal.retryAfter())).isBetween(1L, 30L);
            retryAfters.add(refusal.retryAfter());
        }
        assertThat(retryAfters).as("Retry-After is jittered").hasSizeGreaterThan(1);
    }

    @Test
    void aSourcePastItsFailedAuthenticationBudgetGets429ButItsGoodTokensStillPass() {
        authFailures = new AuthFailureBudget(1, 3, 100, nanos::get);
        InetSocketAddress flooder = new InetSocketAddress("192.0.2.66", 50_000);
        for (int i = 0; i < 3; i++) {
            assertThat(refused(channel(true, flooder), upgrade("/v1/connect", "kickoff.v1.json", "garbage-" + i), null)
                    .status()).as("within the budget: 401").isEqualTo(401);
        }
        Set<String> retryAfters = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            Refusal refusal = refused(channel(true, flooder), upgrade("/v1/connect", "kickoff.v1.json", "garbage"), null);
            assertThat(refusal.status()).isEqualTo(429);
            assertThat(Long.parseLong(refusal.retryAfter())).isBetween(1L, 30L);
            retryAfters.add(refusal.retryAfter());
        }
        assertThat(retryAfters).as("Retry-After is jittered").hasSizeGreaterThan(1);
        assertThat(metrics.count("kickoff_gateway_upgrades_refused", "reason", "auth_failures")).isEqualTo(20);

        // A device behind the same address with a good token is not refused for its neighbour's garbage...
        passed(channel(true, new InetSocketAddress("192.0.2.66", 50_001)),
                upgrade("/v1/connect", "kickoff.v1.json", token)).release();
        // ...another address has a budget of its own...
        assertThat(refused(channel(true, new InetSocketAddress("192.0.2.67", 50_000)),
                upgrade("/v1/connect", "kickoff.v1.json", "garbage"), null).status()).isEqualTo(401);
        // ...and the budget comes back with time.
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(1));
        assertThat(refused(channel(true, flooder), upgrade("/v1/connect", "kickoff.v1.json", "garbage"), null)
                .status()).isEqualTo(401);
    }
}
