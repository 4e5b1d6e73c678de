package io.kickoff.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.http.RetryAfter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A plain GET of the WebSocket path tells a browser what its refused upgrade could not: 503 and Retry-After. */
class AdmissionCheckTest {
    final GatewayMetrics metrics = new GatewayMetrics("test-node");
    final AtomicBoolean ready = new AtomicBoolean(true);
    final AdmissionControl admission = new AdmissionControl(GatewayConfig.builder().maxConnections(1).fdReserve(100)
            .maxConnectsPerSecond(0).retryAfter(Duration.ofSeconds(3), Duration.ofSeconds(3)).build(), metrics,
            System::nanoTime, new SplittableRandom(1)::nextDouble);
    final AdmissionCheck check = new AdmissionCheck(ready::get, admission,
            new RetryAfter(Duration.ofSeconds(2), Duration.ofSeconds(2), () -> 0.5));
    final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void closeChannels() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel(check, admission);
        channels.add(ch);
        return ch;
    }

    static FullHttpRequest plainGet(String uri) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        request.headers().set(HttpHeaderNames.HOST, "gw.example").set(HttpHeaderNames.ORIGIN, "http://page.example");
        return request;
    }

    static FullHttpRequest upgrade() {
        FullHttpRequest request = plainGet("/v1/connect?token=t");
        request.headers().set(HttpHeaderNames.UPGRADE, "websocket").set(HttpHeaderNames.CONNECTION, "Upgrade");
        return request;
    }

    /** The answer to a plain GET; the request was released and the connection closed. */
    static FullHttpResponse answered(EmbeddedChannel ch, FullHttpRequest request) {
        ch.writeInbound(request);
        assertThat(ch.<Object>readInbound()).as("answered here, not passed on").isNull();
        assertThat(request.refCnt()).isZero();
        FullHttpResponse response = ch.readOutbound();
        assertThat(response).isNotNull();
        assertThat(ch.isOpen()).isFalse();
        assertThat(response.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isEqualTo("*");
        assertThat(response.headers().get(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS)).isEqualToIgnoringCase("retry-after");
        return response;
    }

    @Test
    void aFullNodeAnswers503WithRetryAfterAndTakesNoSlot() {
        EmbeddedChannel device = channel();
        device.writeInbound(upgrade());
        FullHttpRequest admitted = device.readInbound();
        admitted.release();
        assertThat(admission.devicesAdmitted()).isEqualTo(1);

        FullHttpResponse response = answered(channel(), plainGet("/v1/connect?token=t"));
        try {
            assertThat(response.status().code()).isEqualTo(503);
            assertThat(response.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("3");
            assertThat(response.content().toString(StandardCharsets.UTF_8)).contains("gateway is full");
        } finally {
            response.release();
        }
        assertThat(admission.devicesAdmitted()).isEqualTo(1);
    }

    @Test
    void aDrainingNodeAnswers503() {
        admission.startDraining();
        FullHttpResponse response = answered(channel(), plainGet("/v1/connect"));
        try {
            assertThat(response.status().code()).isEqualTo(503);
            assertThat(response.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("3");
            assertThat(response.content().toString(StandardCharsets.UTF_8)).contains("draining");
        } finally {
            response.release();
        }
    }

    @Test
    void aStartingNodeAnswers503WithItsOwnRetryAfter() {
        ready.set(false);
        FullHttpResponse response = answered(channel(), plainGet("/v1/connect"));
        try {
            assertThat(response.status().code()).isEqualTo(503);
            assertThat(response.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("2");
            assertThat(response.content().toString(StandardCharsets.UTF_8)).contains("starting");
        } finally {
            response.release();
        }
    }

    @Test
    void aNodeWithRoomAnswers400NotAnUpgrade() {
        FullHttpResponse response = answered(channel(), plainGet("/v1/connect?token=t"));
        try {
            assertThat(response.status().code()).isEqualTo(400);
            assertThat(response.headers().contains(HttpHeaderNames.RETRY_AFTER)).isFalse();
            assertThat(response.content().toString(StandardCharsets.UTF_8)).contains("admits devices now");
        } finally {
            response.release();
        }
        assertThat(admission.devicesAdmitted()).isZero();
    }

    @Test
    void upgradesAndOtherRequestsPassOn() {
        EmbeddedChannel ch = channel();
        FullHttpRequest post = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/connect");
        ch.writeInbound(post);
        FullHttpRequest passed = ch.readInbound();
        assertThat(passed).isSameAs(post);
        passed.release();
        FullHttpRequest other = plainGet("/v1/elsewhere");
        ch.writeInbound(other);
        FullHttpRequest passedOther = ch.readInbound();
        assertThat(passedOther).isSameAs(other);
        passedOther.release();
    }

    @Test
    void anUpgradePassesOnToAdmission() {
        EmbeddedChannel device = channel();
        device.writeInbound(upgrade());
        FullHttpRequest upgraded = device.readInbound();
        assertThat(upgraded).isNotNull();
        upgraded.release();
    }
}
