package io.kickoff.http;

import static io.kickoff.http.EdgeChannels.body;
import static io.kickoff.http.EdgeChannels.releaseAll;
import static io.kickoff.http.EdgeChannels.responses;
import static io.kickoff.http.EdgeChannels.writeText;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RequestGuardTest {
    EmbeddedChannel channel = new EmbeddedChannel(new HttpServerCodec(4096, 8192, 8192), new RequestGuard(Refusal.plainText()));

    @AfterEach
    void release() {
        channel.finishAndReleaseAll();
    }

    /** Sends {@code request}; returns the one answer, or null if the request passed (what passed is released). */
    FullHttpResponse answerTo(String request) {
        writeText(channel, request);
        List<Object> passed = new ArrayList<>();
        for (Object o; (o = channel.readInbound()) != null; ) {
            passed.add(o);
        }
        List<FullHttpResponse> answers = responses(channel);
        if (answers.isEmpty()) {
            assertThat(passed).isNotEmpty();
            releaseAll(passed);
            return null;
        }
        assertThat(passed).as("a refused request goes no further").isEmpty();
        assertThat(answers).hasSize(1);
        return answers.get(0);
    }

    void assertRefused(String request, int status, String words) {
        FullHttpResponse answer = answerTo(request);
        try {
            assertThat(answer).as("answer to %s", request).isNotNull();
            assertThat(answer.status().code()).isEqualTo(status);
            assertThat(answer.headers().get("Connection")).isEqualToIgnoringCase("close");
            assertThat(answer.headers().get("Content-Type")).startsWith("text/plain");
            assertThat(body(answer)).contains(words);
            assertThat(channel.isOpen()).isFalse();
        } finally {
            ReferenceCountUtil.release(answer);
        }
    }

    @Test
    void aGoodRequestPasses() {
        assertThat(answerTo("GET /v1/bundles?segment=us-en%2Dadult HTTP/1.1\r\nHost: a\r\n\r\n")).isNull();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void missingHostIs400() {
        assertRefused("GET / HTTP/1.1\r\n\r\n", 400, "Host");
    }

    @Test
    void twoHostsAre400() {
        assertRefused("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "Host");
    }

    @Test
    void twoContentTypesAre400AndTheBodyIsDropped() {
        writeText(channel, "POST /v1/events HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                + "Content-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}");
        assertThat((Object) channel.readInbound()).as("neither the request nor its body go further").isNull();
        List<FullHttpResponse> answers = responses(channel);
        assertThat(answers).hasSize(1);
        assertThat(answers.get(0).status().code()).isEqualTo(400);
        assertThat(body(answers.get(0))).contains("Content-Type");
        releaseAll(answers);
    }

    @Test
    void malformedPercentEncodingInThePathIs400() {
        assertRefused("GET /v1/events/%zz HTTP/1.1\r\nHost: a\r\n\r\n", 400, "percent-encoding");
    }

    @Test
    void truncatedPercentEncodingInTheQueryIs400() {
        assertRefused("GET /v1/bundles?segment=%4 HTTP/1.1\r\nHost: a\r\n\r\n", 400, "percent-encoding");
    }

    @Test
    void escapesThatAreNotUtf8Are400() {
        assertRefused("GET /v1/bundles?segment=%E9t%E9 HTTP/1.1\r\nHost: a\r\n\r\n", 400, "percent-encoding");
    }

    @Test
    void aLongRequestLineIs414() {
        assertRefused("GET /" + "a".repeat(5000) + " HTTP/1.1\r\nHost: a\r\n\r\n", 414, "request line");
    }

    @Test
    void largeHeadersAre431() {
        assertRefused("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + "b".repeat(9000) + "\r\n\r\n", 431, "headers");
    }

    @Test
    void wellFormedTargets() {
        assertThat(RequestGuard.isWellFormedTarget("/v1/events/final-2026")).isTrue();
        assertThat(RequestGuard.isWellFormedTarget("/v1/events/caf%C3%A9?x=%2F&y=1")).isTrue();
        assertThat(RequestGuard.isWellFormedTarget("/%")).isFalse();
        assertThat(RequestGuard.isWellFormedTarget("/%A")).isFalse();
        assertThat(RequestGuard.isWellFormedTarget("/a%g0")).isFalse();
        assertThat(RequestGuard.isWellFormedTarget("/a%C3/%A9")).as("an escape split by a slash").isFalse();
    }

    @Test
    void contentOfAPassedRequestPasses() {
        writeText(channel, "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}");
        Object request = channel.readInbound();
        Object content = channel.readInbound();
        assertThat(request).isInstanceOf(HttpRequest.class);
        assertThat(content).isInstanceOf(HttpContent.class);
        ReferenceCountUtil.release(request);
        ReferenceCountUtil.release(content);
    }

    @Test
    void unreadableOnlyLetsAnyHostsThroughButStillRefusesWhatCannotBeRead() {
        channel.finishAndReleaseAll();
        channel = new EmbeddedChannel(new HttpServerCodec(4096, 8192, 8192), RequestGuard.unreadableOnly(Refusal.plainText()));
        assertThat(answerTo("GET / HTTP/1.1\r\n\r\n")).as("no Host").isNull();
        assertThat(answerTo("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\nContent-Type: a\r\nContent-Type: b\r\n\r\n"))
                .as("two Host, two Content-Type").isNull();
        assertRefused("GET /v1/connect?token=%zz HTTP/1.1\r\n\r\n", 400, "percent-encoding");
        channel.finishAndReleaseAll();
        channel = new EmbeddedChannel(new HttpServerCodec(4096, 8192, 8192), RequestGuard.unreadableOnly(Refusal.plainText()));
        assertRefused("GET /" + "a".repeat(5000) + " HTTP/1.1\r\n\r\n", 414, "request line");
    }
}
