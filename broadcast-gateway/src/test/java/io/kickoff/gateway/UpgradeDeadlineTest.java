package io.kickoff.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Time here is the embedded event loop's, moved by the test. */
class UpgradeDeadlineTest {
    final GatewayMetrics metrics = new GatewayMetrics("gw-test");
    final EmbeddedChannel ch = frozen(new EmbeddedChannel());

    /** Time stands still but for advance(), however slow the machine; then the deadline starts. */
    EmbeddedChannel frozen(EmbeddedChannel channel) {
        channel.freezeTime();
        channel.pipeline().addLast(new UpgradeDeadline(Duration.ofSeconds(5), metrics));
        return channel;
    }

    @AfterEach
    void release() {
        ch.finishAndReleaseAll();
    }

    void advance(long millis) {
        ch.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
    }

    double timeouts() {
        return metrics.count("kickoff_gateway_closes", "reason", "upgrade_timeout");
    }

    void assertTimedOut() {
        assertThat(ch.isOpen()).isFalse();
        FullHttpResponse answer = ch.readOutbound();
        try {
            assertThat(answer.status().code()).isEqualTo(408);
            assertThat(answer.headers().get(HttpHeaderNames.CONNECTION)).isEqualToIgnoringCase("close");
            assertThat(answer.headers().get(HttpHeaderNames.CONTENT_TYPE)).startsWith("text/plain");
            assertThat(answer.content().toString(StandardCharsets.UTF_8)).contains("5000 ms");
        } finally {
            answer.release();
        }
        assertThat(timeouts()).isEqualTo(1);
    }

    @Test
    void aSilentConnectionIsClosedAtTheDeadline() {
        advance(4_999);
        assertThat(ch.isOpen()).isTrue();
        assertThat(timeouts()).isZero();
        advance(1);
        assertTimedOut();
    }

    @Test
    void bytesThatNeverMakeARequestDoNotExtendTheDeadline() {
        for (int i = 0; i < 4; i++) {
            advance(1_000);
            ch.writeInbound(Unpooled.copiedBuffer("G", StandardCharsets.US_ASCII)); // one byte a second
            ByteBuf passed = ch.readInbound();
            passed.release();
        }
        advance(1_000);
        assertTimedOut();
    }

    @Test
    void theSwitchingProtocolsAnswerEndsTheDeadline() {
        advance(4_000);
        ch.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS));
        ((FullHttpResponse) ch.readOutbound()).release();
        assertThat(ch.pipeline().get(UpgradeDeadline.class)).isNull();
        advance(60_000);
        assertThat(ch.isOpen()).isTrue();
        assertThat(timeouts()).isZero();
    }

    @Test
    void anAnswerThatKeepsTheConnectionRestartsTheDeadline() {
        advance(4_000);
        ch.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK)); // e.g. /healthz
        ((FullHttpResponse) ch.readOutbound()).release();
        advance(4_999);
        assertThat(ch.isOpen()).isTrue();
        advance(1);
        assertTimedOut();
    }

    @Test
    void aConnectionClosedBeforeTheDeadlineIsNotCounted() {
        ch.close();
        advance(10_000);
        assertThat(timeouts()).isZero();
    }
}
