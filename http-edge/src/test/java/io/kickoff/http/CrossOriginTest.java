package io.kickoff.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CrossOriginTest {
    EmbeddedChannel channel;

    @AfterEach
    void release() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    FullHttpResponse exchange(List<String> origins, String request) {
        channel = new EmbeddedChannel(new HttpServerCodec());
        CrossOrigin.handler(origins).ifPresent(channel.pipeline()::addLast);
        channel.pipeline().addLast(new HttpObjectAggregator(4096), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ReferenceCountUtil.release(msg);
                FullHttpResponse ok = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                HttpUtil.setContentLength(ok, 0);
                ctx.writeAndFlush(ok);
            }
        });
        EdgeChannels.writeText(channel, request);
        List<FullHttpResponse> responses = EdgeChannels.responses(channel);
        assertThat(responses).hasSize(1);
        return responses.get(0);
    }

    @Test
    void noOriginsConfiguredMeansNoHandlerAndNoCorsHeaders() {
        assertThat(CrossOrigin.handler(List.of())).isEmpty();
        FullHttpResponse answer = exchange(List.of(), "GET /v1/x HTTP/1.1\r\nHost: a\r\nOrigin: http://evil.example\r\n\r\n");
        try {
            assertThat(answer.headers().contains("Access-Control-Allow-Origin")).isFalse();
        } finally {
            answer.release();
        }
    }

    @Test
    void aConfiguredOriginMayReadAnswersAndItsPreflightIsAnswered() {
        List<String> origins = List.of("http://console.example:8081");
        FullHttpResponse answer = exchange(origins,
                "GET /v1/x HTTP/1.1\r\nHost: a\r\nOrigin: http://console.example:8081\r\n\r\n");
        try {
            assertThat(answer.headers().get("Access-Control-Allow-Origin")).isEqualTo("http://console.example:8081");
            assertThat(answer.headers().get("Access-Control-Expose-Headers")).containsIgnoringCase("etag");
        } finally {
            answer.release();
        }
        FullHttpResponse preflight = exchange(origins, "OPTIONS /v1/x HTTP/1.1\r\nHost: a\r\n"
                + "Origin: http://console.example:8081\r\nAccess-Control-Request-Method: PATCH\r\n"
                + "Access-Control-Request-Headers: authorization, if-match, idempotency-key\r\n\r\n");
        try {
            assertThat(preflight.status().code()).isEqualTo(200);
            assertThat(preflight.headers().get("Access-Control-Allow-Methods")).contains("PATCH");
            assertThat(preflight.headers().get("Access-Control-Allow-Headers").toLowerCase())
                    .contains("authorization", "if-match", "idempotency-key");
            assertThat(preflight.headers().get("Access-Control-Max-Age")).isEqualTo("600");
            assertThat(preflight.headers().get("Content-Length")).isEqualTo("0");
            String date = preflight.headers().get("Date");
            if (date != null) {
                assertThat(date).as("an HTTP date, not a quoted string").doesNotStartWith("\"");
            }
        } finally {
            preflight.release();
        }
    }

    @Test
    void anotherOriginIsRefused() {
        FullHttpResponse refused = exchange(List.of("http://console.example:8081"),
                "GET /v1/x HTTP/1.1\r\nHost: a\r\nOrigin: http://evil.example\r\n\r\n");
        try {
            assertThat(refused.status().code()).isEqualTo(403);
            assertThat(refused.headers().contains("Access-Control-Allow-Origin")).isFalse();
        } finally {
            refused.release();
        }
    }

    @Test
    void theServersOwnPagesAreNotCrossOrigin() {
        // A browser sends Origin with a same-origin module script or POST: the page must not be refused its files.
        FullHttpResponse own = exchange(List.of("http://console.example:8081"),
                "GET /home/home.js HTTP/1.1\r\nHost: 127.0.0.1:8082\r\nOrigin: http://127.0.0.1:8082\r\n\r\n");
        try {
            assertThat(own.status().code()).isEqualTo(200);
            assertThat(own.headers().contains("Access-Control-Allow-Origin")).isFalse();
        } finally {
            own.release();
        }
        FullHttpResponse otherPort = exchange(List.of("http://console.example:8081"),
                "GET /home/home.js HTTP/1.1\r\nHost: 127.0.0.1:8082\r\nOrigin: http://127.0.0.1:9000\r\n\r\n");
        try {
            assertThat(otherPort.status().code()).as("another port is another origin").isEqualTo(403);
        } finally {
            otherPort.release();
        }
    }

    @Test
    void anOriginWithAPathIsAConfigurationError() {
        assertThatThrownBy(() -> CrossOrigin.handler(List.of("http://a.example/console")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http://a.example/console");
    }
}
