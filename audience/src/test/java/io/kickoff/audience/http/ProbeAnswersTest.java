package io.kickoff.audience.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.http.Probes;
import io.kickoff.http.RetryAfter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The probes of an audience instance, answered from its state at the moment of asking. */
class ProbeAnswersTest {
    final AtomicBoolean running = new AtomicBoolean();
    final EmbeddedChannel channel = new EmbeddedChannel(new ProbeAnswers(
            new Probes(Map.<String, BooleanSupplier>of("streams-running", running::get), () -> "kickoff_audience_ready 1.0\n"),
            RetryAfter.between(Duration.ofSeconds(2), Duration.ofSeconds(2))));

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    Answer ask(HttpMethod method, String uri) {
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri));
        FullHttpResponse response = channel.readOutbound();
        try {
            return new Answer(response.status(), response.headers().get(HttpHeaderNames.CONTENT_TYPE),
                    response.headers().get(HttpHeaderNames.RETRY_AFTER), response.headers().get(HttpHeaderNames.ALLOW),
                    response.headers().getInt(HttpHeaderNames.CONTENT_LENGTH, -1),
                    response.content().toString(StandardCharsets.UTF_8));
        } finally {
            response.release();
        }
    }

    record Answer(HttpResponseStatus status, String contentType, String retryAfter, String allow, int length, String body) {
    }

    @Test
    void readyOnlyWhileTheStreamsRunAndAliveAllAlong() {
        Answer notReady = ask(HttpMethod.GET, "/readyz");
        assertThat(notReady.status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
        assertThat(notReady.body()).isEqualTo("not ready: streams-running\n");
        assertThat(notReady.retryAfter()).isEqualTo("2");
        assertThat(ask(HttpMethod.GET, "/healthz").status()).isEqualTo(HttpResponseStatus.OK);

        running.set(true);
        Answer ready = ask(HttpMethod.GET, "/readyz");
        assertThat(ready.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(ready.body()).isEqualTo("ready\n");

        running.set(false);
        assertThat(ask(HttpMethod.GET, "/readyz").status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
    }

    @Test
    void metricsArePrometheusText() {
        Answer metrics = ask(HttpMethod.GET, "/metrics");
        assertThat(metrics.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(metrics.contentType()).isEqualTo(Probes.PROMETHEUS_CONTENT_TYPE);
        assertThat(metrics.body()).isEqualTo("kickoff_audience_ready 1.0\n");
    }

    @Test
    void headHasTheLengthWithoutTheBodyOtherMethodsAre405AndOtherPaths404() {
        Answer head = ask(HttpMethod.HEAD, "/healthz");
        assertThat(head.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(head.length()).isEqualTo(3);
        assertThat(head.body()).isEmpty();

        Answer post = ask(HttpMethod.POST, "/readyz");
        assertThat(post.status()).isEqualTo(HttpResponseStatus.METHOD_NOT_ALLOWED);
        assertThat(post.allow()).isEqualTo("GET, HEAD");
        assertThat(ask(HttpMethod.GET, "/v1/events").status()).isEqualTo(HttpResponseStatus.NOT_FOUND);
        assertThat(ask(HttpMethod.GET, "/metrics?x=1").status()).isEqualTo(HttpResponseStatus.OK);
    }
}
