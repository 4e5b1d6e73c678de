package io.kickoff.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StaticAssetsTest {
    final List<Object> passedOn = new ArrayList<>();
    final EmbeddedChannel channel = new EmbeddedChannel(new HttpServerCodec(), new HttpObjectAggregator(4096),
            StaticAssets.builder("/page/")
                    .classpath("static-test/")
                    .document("config.json", "application/json", () -> "{\"gateway\":\"ws://x\"}")
                    .build(),
            new io.netty.channel.ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                    passedOn.add(msg);
                }
            });

    @AfterEach
    void release() {
        passedOn.forEach(ReferenceCountUtil::release);
        channel.finishAndReleaseAll();
    }

    FullHttpResponse get(String request) {
        EdgeChannels.writeText(channel, request);
        List<FullHttpResponse> responses = EdgeChannels.responses(channel);
        assertThat(responses).hasSize(1);
        return responses.get(0);
    }

    FullHttpResponse get(String method, String path) {
        return get(method + " " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
    }

    @Test
    void servesThePageAtThePrefixWithItsTypeAnEtagAndItsPolicy() {
        FullHttpResponse page = get("GET", "/page/");
        try {
            assertThat(page.status().code()).isEqualTo(200);
            assertThat(page.headers().get("Content-Type")).isEqualTo("text/html; charset=utf-8");
            assertThat(EdgeChannels.body(page)).contains("<title>page</title>");
            assertThat(page.headers().get("ETag")).startsWith("\"");
            assertThat(page.headers().get("Cache-Control")).isEqualTo("no-cache");
            assertThat(page.headers().get("Content-Security-Policy")).contains("script-src 'self'");
            assertThat(page.headers().get("X-Frame-Options")).isEqualTo("DENY");
            assertThat(page.headers().get("X-Content-Type-Options")).isEqualTo("nosniff");
        } finally {
            page.release();
        }
    }

    @Test
    void aScriptIsJavaScriptAndRevalidatesTo304() {
        FullHttpResponse script = get("GET", "/page/js/app.js");
        String etag;
        try {
            assertThat(script.status().code()).isEqualTo(200);
            assertThat(script.headers().get("Content-Type")).isEqualTo("text/javascript; charset=utf-8");
            assertThat(EdgeChannels.body(script)).contains("answer = 42");
            assertThat(script.headers().get("Content-Security-Policy")).isNull();
            etag = script.headers().get("ETag");
        } finally {
            script.release();
        }
        FullHttpResponse again = get("GET /page/js/app.js HTTP/1.1\r\nHost: x\r\nIf-None-Match: " + etag + "\r\n\r\n");
        try {
            assertThat(again.status().code()).isEqualTo(304);
            assertThat(again.content().readableBytes()).isZero();
        } finally {
            again.release();
        }
    }

    @Test
    void theBarePrefixRedirectsToItsSlash() {
        FullHttpResponse moved = get("GET", "/page");
        try {
            assertThat(moved.status().code()).isEqualTo(301);
            assertThat(moved.headers().get("Location")).isEqualTo("/page/");
        } finally {
            moved.release();
        }
    }

    @Test
    void aGeneratedDocumentIsAskedOnEachRequest() {
        FullHttpResponse config = get("GET", "/page/config.json");
        try {
            assertThat(config.headers().get("Content-Type")).isEqualTo("application/json");
            assertThat(EdgeChannels.body(config)).isEqualTo("{\"gateway\":\"ws://x\"}");
        } finally {
            config.release();
        }
    }

    @Test
    void missingFilesDotSegmentsEscapesAndUnknownTypesAre404() {
        for (String path : List.of("/page/nope.html", "/page/../secret.html", "/page/js/../index.html",
                "/page/%2e%2e/index.html", "/page//index.html", "/page/js", "/page/js/app.class")) {
            FullHttpResponse refused = get("GET", path);
            try {
                assertThat(refused.status().code()).as(path).isEqualTo(404);
            } finally {
                refused.release();
            }
        }
    }

    @Test
    void headHasNoBodyAndOtherMethodsAre405WithAllow() {
        EdgeChannels.writeText(channel, "HEAD /page/index.html HTTP/1.1\r\nHost: x\r\n\r\n");
        io.netty.buffer.ByteBuf raw = channel.readOutbound();
        try {
            String text = raw.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
            assertThat(text).startsWith("HTTP/1.1 200 OK").endsWith("\r\n\r\n").doesNotContain("<title>");
        } finally {
            raw.release();
        }
        FullHttpResponse post = get("POST /page/index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
        try {
            assertThat(post.status().code()).isEqualTo(405);
            assertThat(post.headers().get("Allow")).isEqualTo("GET, HEAD");
        } finally {
            post.release();
        }
    }

    @Test
    void requestsOutsideThePrefixPassOnUntouched() {
        EdgeChannels.writeText(channel, "GET /pages/x HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/events HTTP/1.1\r\nHost: x\r\n\r\n");

        assertThat(passedOn).hasSize(2);
        assertThat(EdgeChannels.responses(channel)).isEmpty();
    }

    @Test
    void aPrefixMustStartAndEndWithASlash() {
        assertThatThrownBy(() -> StaticAssets.builder("console")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/console/");
    }
}
