package io.kickoff.lsm.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.http.CrossOrigin;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** With CORS configured for other origins, the console's own writes (which carry Origin) are not refused. */
class SameOriginTest {
    EmbeddedChannel channel;

    @AfterEach
    void finish() {
        channel.finishAndReleaseAll();
    }

    EmbeddedChannel withCors(ChannelHandler... first) {
        ChannelHandler cors = CrossOrigin.handler(List.of("https://console.example.com")).orElseThrow();
        ChannelHandler[] handlers = java.util.Arrays.copyOf(first, first.length + 1);
        handlers[first.length] = cors;
        return channel = new EmbeddedChannel(handlers);
    }

    static FullHttpRequest post(String host, String origin) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/events");
        request.headers().set("Host", host).set("Origin", origin);
        return request;
    }

    @Test
    void aRequestFromThisServersOwnOriginPassesWithoutItsOrigin() {
        withCors(new SameOrigin());
        channel.writeInbound(post("admin.internal:8081", "http://admin.internal:8081"));
        FullHttpRequest passed = channel.readInbound();
        assertThat(passed).isNotNull();
        assertThat(passed.headers().contains("Origin")).isFalse();
        passed.release();
        assertThat((Object) channel.readOutbound()).isNull();
    }

    @Test
    void withoutItTheConsolesOwnWriteWouldBeRefused() {
        withCors();
        channel.writeInbound(post("admin.internal:8081", "http://admin.internal:8081"));
        FullHttpResponse refused = channel.readOutbound();
        assertThat(refused.status().code()).isEqualTo(403);
        refused.release();
    }

    @Test
    void otherOriginsAreStillTheCorsHandlersToJudge() {
        withCors(new SameOrigin());
        channel.writeInbound(post("admin.internal:8081", "https://evil.example"));
        FullHttpResponse refused = channel.readOutbound();
        assertThat(refused.status().code()).isEqualTo(403);
        refused.release();

        FullHttpRequest allowed = post("admin.internal:8081", "https://console.example.com");
        channel.writeInbound(allowed);
        FullHttpRequest passed = channel.readInbound();
        assertThat(passed.headers().get("Origin")).isEqualTo("https://console.example.com");
        passed.release();
    }
}
