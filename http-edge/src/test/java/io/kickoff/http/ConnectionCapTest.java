package io.kickoff.http;

import static io.kickoff.http.EdgeChannels.releaseAll;
import static io.kickoff.http.EdgeChannels.responses;
import static io.kickoff.http.EdgeChannels.writeText;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConnectionCapTest {
    final ConnectionCap cap = new ConnectionCap(1, new RetryAfter(Duration.ofSeconds(2), Duration.ofSeconds(9), () -> 0.5),
            Refusal.plainText());

    EmbeddedChannel connect() {
        return new EmbeddedChannel(new HttpServerCodec(), cap);
    }

    @Test
    void aConnectionOverTheCapIsAnswered503WithRetryAfterThenClosed() {
        EmbeddedChannel first = connect();
        EmbeddedChannel second = connect();
        assertThat(cap.open()).isEqualTo(2);

        writeText(first, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        Object passed = first.readInbound();
        assertThat(passed).as("within the cap").isNotNull();
        ReferenceCountUtil.release(passed);

        writeText(second, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat((Object) second.readInbound()).isNull();
        List<FullHttpResponse> answers = responses(second);
        assertThat(answers).hasSize(1);
        assertThat(answers.get(0).status().code()).isEqualTo(503);
        assertThat(answers.get(0).headers().get("Retry-After")).isEqualTo("6");
        assertThat(answers.get(0).headers().get("Connection")).isEqualToIgnoringCase("close");
        releaseAll(answers);
        assertThat(second.isOpen()).isFalse();
        assertThat(cap.open()).isEqualTo(1);

        first.finishAndReleaseAll();
        assertThat(cap.open()).isZero();
        EmbeddedChannel third = connect();
        writeText(third, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        Object admitted = third.readInbound();
        assertThat(admitted).as("a slot was given back").isNotNull();
        ReferenceCountUtil.release(admitted);
        third.finishAndReleaseAll();
        second.finishAndReleaseAll();
    }
}
