package io.kickoff.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Raw bytes through the gateway's HTTP codec, aggregator and request guard, as on a socket. */
class UnreadableRequestsTest {
    final EmbeddedChannel ch = new EmbeddedChannel(UnreadableRequests.codec(), UnreadableRequests.aggregator(),
            UnreadableRequests.guard());

    @AfterEach
    void release() {
        ch.finishAndReleaseAll();
    }

    static String upgrade(String target, String extraHeaders) {
        return "GET " + target + " HTTP/1.1\r\nHost: gw\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Protocol: kickoff.v1.json\r\nAuthorization: Bearer some.device.token\r\n"
                + extraHeaders + "\r\n";
    }

    /** Sends the bytes; returns the raw answer (status line, headers, body) and checks nothing went further. */
    String answer(String request) {
        ch.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1));
        assertThat(ch.<Object>readInbound()).as("an unreadable request goes no further").isNull();
        StringBuilder out = new StringBuilder();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            ByteBuf buf = (ByteBuf) o;
            out.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        assertThat(ch.isOpen()).as("closed after the answer").isFalse();
        String answer = out.toString();
        assertThat(answer).containsIgnoringCase("connection: close").containsIgnoringCase("content-type: text/plain");
        return answer;
    }

    @Test
    void aRequestLineOverTheLimitIs414() {
        String answer = answer(upgrade("/v1/connect?token=" + "a".repeat(UnreadableRequests.MAX_REQUEST_LINE_BYTES), ""));
        assertThat(answer).startsWith("HTTP/1.1 414 ").contains("request line");
    }

    @Test
    void headersOverTheLimitAre431() {
        String answer = answer(upgrade("/v1/connect", "X-Padding: " + "p".repeat(UnreadableRequests.MAX_HEADER_BYTES) + "\r\n"));
        assertThat(answer).startsWith("HTTP/1.1 431 ").contains("request headers");
    }

    @Test
    void malformedPercentEncodingIs400() {
        assertThat(answer(upgrade("/v1/connect?token=%zz", ""))).startsWith("HTTP/1.1 400 ").contains("percent-encoding");
    }

    @Test
    void escapesThatAreNotUtf8Are400() {
        assertThat(answer(upgrade("/v1/connect?pad=%FF&token=some.device.token", ""))).startsWith("HTTP/1.1 400 ")
                .contains("percent-encoding");
    }

    @Test
    void noHostIsNotTheGatewaysConcern() {
        ch.writeInbound(Unpooled.copiedBuffer(upgrade("/v1/connect", "").replace("Host: gw\r\n", ""),
                StandardCharsets.ISO_8859_1));
        FullHttpRequest passed = ch.readInbound();
        assertThat(passed.headers().contains("Host")).isFalse();
        passed.release();
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void aBodyOverTheLimitIs413() {
        String answer = answer("POST /v1/connect HTTP/1.1\r\nHost: gw\r\nContent-Length: 100000\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 413 ");
    }

    @Test
    void aRequestWithinTheLimitsPasses() {
        ch.writeInbound(Unpooled.copiedBuffer(upgrade("/v1/connect?token=" + "a".repeat(3_000),
                "X-Padding: " + "p".repeat(6_000) + "\r\n"), StandardCharsets.ISO_8859_1));
        FullHttpRequest passed = ch.readInbound();
        assertThat(passed.uri()).startsWith("/v1/connect");
        passed.release();
        assertThat(ch.<Object>readOutbound()).isNull();
        assertThat(ch.isOpen()).isTrue();
    }
}
