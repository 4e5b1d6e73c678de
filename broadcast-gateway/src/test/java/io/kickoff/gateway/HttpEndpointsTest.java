package io.kickoff.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HttpEndpointsTest {
    static final String OPS_TOKEN = "s3cret-ops-token";

    final GatewayMetrics metrics = new GatewayMetrics("test-node");
    final AtomicInteger drains = new AtomicInteger();
    /** Never completes: the endpoint must answer without waiting for the drain. */
    final CompletableFuture<Void> drainDone = new CompletableFuture<>();

    EmbeddedChannel channel(boolean ready, Optional<String> opsToken) {
        return new EmbeddedChannel(new HttpEndpoints(() -> ready, metrics, opsToken, () -> {
            drains.incrementAndGet();
            return drainDone;
        }));
    }

    static FullHttpRequest request(HttpMethod method, String uri, String bearer) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri);
        if (bearer != null) {
            request.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + bearer);
        }
        return request;
    }

    record Answer(int status, String contentType, String body) {
    }

    static Answer answer(EmbeddedChannel ch, FullHttpRequest request) {
        ch.writeInbound(request);
        assertThat(request.refCnt()).as("answered request must be released").isZero();
        FullHttpResponse response = ch.readOutbound();
        assertThat(response).isNotNull();
        try {
            return new Answer(response.status().code(), response.headers().get(HttpHeaderNames.CONTENT_TYPE),
                    response.content().toString(StandardCharsets.UTF_8));
        } finally {
            response.release();
        }
    }

    @Test
    void healthAndReadiness() {
        assertThat(answer(channel(true, Optional.empty()), request(HttpMethod.GET, "/healthz", null)).status()).isEqualTo(200);
        assertThat(answer(channel(true, Optional.empty()), request(HttpMethod.GET, "/readyz", null)).status()).isEqualTo(200);
        assertThat(answer(channel(false, Optional.empty()), request(HttpMethod.GET, "/readyz", null)).status()).isEqualTo(503);
        assertThat(answer(channel(false, Optional.empty()), request(HttpMethod.GET, "/healthz?x=1", null)).status()).isEqualTo(200);
    }

    @Test
    void metricsArePrometheusText() {
        metrics.connected();
        Answer answer = answer(channel(true, Optional.empty()), request(HttpMethod.GET, "/metrics", null));
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.contentType()).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
        assertThat(answer.body()).contains("kickoff_gateway_connects");
    }

    @Test
    void onlyGetOnReadEndpoints() {
        for (String path : new String[] {"/healthz", "/readyz", "/metrics"}) {
            EmbeddedChannel ch = channel(true, Optional.empty());
            ch.writeInbound(request(HttpMethod.POST, path, null));
            FullHttpResponse response = ch.readOutbound();
            assertThat(response.status().code()).as(path).isEqualTo(405);
            assertThat(response.headers().get(HttpHeaderNames.ALLOW)).isEqualTo("GET");
            response.release();
        }
    }

    @Test
    void unknownPathsAre404AndTheWebSocketPathPassesOn() {
        EmbeddedChannel ch = channel(true, Optional.of(OPS_TOKEN));
        assertThat(answer(ch, request(HttpMethod.GET, "/nope", null)).status()).isEqualTo(404);
        EmbeddedChannel device = channel(true, Optional.of(OPS_TOKEN));
        FullHttpRequest upgrade = request(HttpMethod.GET, "/v1/connect?token=t", null);
        device.writeInbound(upgrade);
        FullHttpRequest passed = device.readInbound();
        assertThat(passed).isSameAs(upgrade);
        passed.release();
        assertThat(device.<Object>readOutbound()).isNull();
    }

    @Test
    void drainDoesNotExistWithoutAnOpsToken() {
        Answer answer = answer(channel(true, Optional.empty()), request(HttpMethod.POST, "/ops/drain", OPS_TOKEN));
        assertThat(answer.status()).isEqualTo(404);
        assertThat(drains).hasValue(0);
    }

    @Test
    void drainNeedsTheRightToken() {
        for (String bearer : new String[] {null, "wrong", OPS_TOKEN + "x", ""}) {
            Answer answer = answer(channel(true, Optional.of(OPS_TOKEN)), request(HttpMethod.POST, "/ops/drain", bearer));
            assertThat(answer.status()).as("bearer %s", bearer).isEqualTo(401);
        }
        EmbeddedChannel basic = channel(true, Optional.of(OPS_TOKEN));
        FullHttpRequest request = request(HttpMethod.POST, "/ops/drain", null);
        request.headers().set(HttpHeaderNames.AUTHORIZATION, "Basic " + OPS_TOKEN);
        assertThat(answer(basic, request).status()).isEqualTo(401);
        assertThat(drains).hasValue(0);
    }

    @Test
    void drainWithTheRightTokenStartsOneDrainAndAnswers202AtOnce() {
        Answer answer = answer(channel(true, Optional.of(OPS_TOKEN)), request(HttpMethod.POST, "/ops/drain", OPS_TOKEN));
        assertThat(answer.status()).isEqualTo(202);
        assertThat(answer.body()).contains("drain");
        assertThat(drains).hasValue(1);
        assertThat(drainDone).isNotDone();
    }

    @Test
    void drainOnlyByPost() {
        EmbeddedChannel ch = channel(true, Optional.of(OPS_TOKEN));
        ch.writeInbound(request(HttpMethod.GET, "/ops/drain", OPS_TOKEN));
        FullHttpResponse response = ch.readOutbound();
        assertThat(response.status().code()).isEqualTo(405);
        assertThat(response.headers().get(HttpHeaderNames.ALLOW)).isEqualTo("POST");
        response.release();
        assertThat(drains).hasValue(0);
    }
}
