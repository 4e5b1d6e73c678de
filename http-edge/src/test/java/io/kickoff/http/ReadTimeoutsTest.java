package io.kickoff.http;

import static io.kickoff.http.EdgeChannels.body;
import static io.kickoff.http.EdgeChannels.releaseAll;
import static io.kickoff.http.EdgeChannels.responses;
import static io.kickoff.http.EdgeChannels.writeText;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReadTimeoutsTest {
    static final EdgeLimits LIMITS = EdgeLimits.defaults(10)
            .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(20));

    final ReadTimeouts timeouts = new ReadTimeouts(LIMITS, Refusal.plainText());
    final EmbeddedChannel channel = newChannel();

    EmbeddedChannel newChannel() {
        EmbeddedChannel c = new EmbeddedChannel();
        c.freezeTime();
        c.pipeline().addLast(timeouts.bytesSide(), new HttpServerCodec(), timeouts.messagesSide());
        c.pipeline().fireChannelActive();
        return c;
    }

    @AfterEach
    void release() {
        channel.finishAndReleaseAll();
    }

    void pass(Duration d) {
        channel.advanceTimeBy(d.toMillis(), TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
    }

    void drainInbound() {
        for (Object o; (o = channel.readInbound()) != null; ) {
            ReferenceCountUtil.release(o);
        }
    }

    int answerStatus() {
        List<FullHttpResponse> answers = responses(channel);
        try {
            assertThat(answers).hasSize(1);
            assertThat(answers.get(0).headers().get("Connection")).isEqualToIgnoringCase("close");
            assertThat(body(answers.get(0))).isNotBlank();
            return answers.get(0).status().code();
        } finally {
            releaseAll(answers);
        }
    }

    @Test
    void anIdleConnectionIsClosedWithoutAnAnswer() {
        pass(Duration.ofSeconds(19));
        assertThat(channel.isOpen()).isTrue();
        pass(Duration.ofSeconds(2));
        assertThat(channel.isOpen()).isFalse();
        assertThat(responses(channel)).isEmpty();
    }

    @Test
    void halfSentHeadersAreAnswered408() {
        writeText(channel, "GET /v1/events HTTP/1.1\r\nHost: a\r\n");
        pass(Duration.ofMillis(1900));
        assertThat(channel.isOpen()).isTrue();
        pass(Duration.ofMillis(200));
        assertThat(answerStatus()).isEqualTo(408);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aMissingBodyIsAnswered408() {
        writeText(channel, "POST /v1/events HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n{\"a\"");
        drainInbound();
        pass(Duration.ofMillis(2900));
        assertThat(channel.isOpen()).isTrue();
        pass(Duration.ofMillis(200));
        assertThat(answerStatus()).isEqualTo(408);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void noDeadlineWhileAnAnswerIsOwedThenIdleAgain() {
        writeText(channel, "GET /v1/events HTTP/1.1\r\nHost: a\r\n\r\n");
        drainInbound();
        pass(Duration.ofSeconds(60));
        assertThat(channel.isOpen()).as("the server is still working on the answer").isTrue();

        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT));
        releaseAll(responses(channel));
        pass(Duration.ofSeconds(19));
        assertThat(channel.isOpen()).isTrue();
        pass(Duration.ofSeconds(2));
        assertThat(channel.isOpen()).as("idle after the answer").isFalse();
    }

    @Test
    void slowHeadersOfASecondRequestAreAnswered408() {
        writeText(channel, "GET /a HTTP/1.1\r\nHost: a\r\n\r\n");
        drainInbound();
        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT));
        releaseAll(responses(channel));
        writeText(channel, "GET /b HTTP/1.1\r\n");
        pass(Duration.ofSeconds(1));
        writeText(channel, "Host: a\r\n");
        pass(Duration.ofMillis(1100));
        assertThat(answerStatus()).isEqualTo(408);
    }
}
