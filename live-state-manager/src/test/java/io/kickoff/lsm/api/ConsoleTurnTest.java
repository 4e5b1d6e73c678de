package io.kickoff.lsm.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.http.AnswerOrder;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The console's files keep their turn behind API answers still being worked out on the same connection. */
class ConsoleTurnTest {
    final EmbeddedChannel channel = new EmbeddedChannel(new ConsoleTurn(AdminInitializer.CONSOLE),
            AdminInitializer.console(BrowserAccess.none().withBundleApi("http://bundles.example:8082/")));

    @AfterEach
    void finish() {
        channel.finishAndReleaseAll();
    }

    static FullHttpRequest get(String uri) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        request.headers().set("Host", "admin");
        return request;
    }

    @Test
    void aConsoleFileAskedAfterAnUnfinishedApiAnswerIsWrittenAfterIt() {
        CompletableFuture<String> apiAnswer = new CompletableFuture<>();
        // what Exchanges does for an API request whose work has not finished
        AnswerOrder.writeInTurn(channel, apiAnswer, body -> channel.writeAndFlush(new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8))),
                error -> channel.close());

        FullHttpRequest request = get("/console/config.json");
        channel.writeInbound(request);
        channel.runPendingTasks();
        assertThat((Object) channel.readOutbound()).as("nothing overtakes the API's answer").isNull();
        assertThat(request.refCnt()).as("the request is held, not dropped").isEqualTo(1);

        apiAnswer.complete("{\"events\":[]}");
        channel.runPendingTasks();
        FullHttpResponse first = channel.readOutbound();
        FullHttpResponse second = channel.readOutbound();
        try {
            assertThat(first.content().toString(StandardCharsets.UTF_8)).isEqualTo("{\"events\":[]}");
            assertThat(second.status().code()).isEqualTo(200);
            assertThat(second.content().toString(StandardCharsets.UTF_8))
                    .isEqualTo("{\"bundle_api\":\"http://bundles.example:8082\",\"home_screen\":\"http://bundles.example:8082/home/\"}");
        } finally {
            first.release();
            second.release();
        }
    }

    @Test
    void withNothingOwedAConsoleFileIsAnsweredAtOnceAndOtherRequestsPassOn() {
        channel.writeInbound(get("/console/"));
        FullHttpResponse page = channel.readOutbound();
        try {
            assertThat(page.status().code()).isEqualTo(200);
            assertThat(page.headers().get("Content-Type")).startsWith("text/html");
            assertThat(page.headers().get("Content-Security-Policy")).contains("script-src 'self'");
        } finally {
            page.release();
        }
        FullHttpRequest api = get("/v1/events");
        channel.writeInbound(api);
        FullHttpRequest passed = channel.readInbound();
        assertThat(passed).isSameAs(api);
        passed.release();
        assertThat((Object) channel.readOutbound()).isNull();
    }

    @Test
    void theBarePrefixIsTheConsolesToo() {
        channel.writeInbound(get("/console"));
        FullHttpResponse moved = channel.readOutbound();
        try {
            assertThat(moved.status().code()).isEqualTo(301);
            assertThat(moved.headers().get("Location")).isEqualTo("/console/");
        } finally {
            moved.release();
        }
        FullHttpRequest other = get("/consoles");
        channel.writeInbound(other);
        FullHttpRequest passed = channel.readInbound();
        assertThat(passed).isSameAs(other);
        passed.release();
    }
}
