package io.kickoff.lsm.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kickoff.http.RetryAfter;
import io.kickoff.lsm.delivery.DeliveryBoard;
import io.kickoff.lsm.event.InMemoryEventStore;
import io.kickoff.lsm.event.LiveEvents;
import io.kickoff.lsm.event.StoreUnavailableException;
import io.kickoff.lsm.idempotency.InMemoryIdempotency;
import io.kickoff.testkit.MutableClock;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The admin API's steps one at a time, in an {@link EmbeddedChannel}: what each passes on and what it answers. */
class AdminStepsTest {
    static final Instant NOW = Instant.parse("2026-11-21T20:00:00Z");
    final MutableClock clock = new MutableClock(NOW);
    final AdminApi api = new AdminApi(new LiveEvents(new InMemoryEventStore(clock), clock),
            new InMemoryIdempotency(clock), new DeliveryBoard(clock),
            Map.of("op-token", AdminToken.operator("alice"), "view-token", AdminToken.viewer("victor")),
            new Readiness(() -> true, () -> true), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), Duration.ofSeconds(1));
    final Problems problems = new Problems(RetryAfter.between(Duration.ofSeconds(1), Duration.ofSeconds(1)));
    EmbeddedChannel channel;

    @AfterEach
    void finish() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    static Exchange exchange(HttpMethod method, String path, String body, String... headers) {
        HttpHeaders h = new DefaultHttpHeaders();
        for (int i = 0; i < headers.length; i += 2) {
            h.add(headers[i], headers[i + 1]);
        }
        return new Exchange(method, path, Map.of(), h, body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8));
    }

    /** Runs {@code exchange} through {@code steps}; returns it if the last step passed it on, else null. */
    Exchange run(Exchange exchange, ChannelHandler... steps) {
        channel = new EmbeddedChannel(steps);
        channel.writeInbound(exchange);
        return channel.readInbound();
    }

    Answer answer(Exchange exchange) {
        assertThat(exchange.answer()).isDone();
        return exchange.answer().handle((a, error) -> error == null ? a : problems.of(error, exchange.path())).join();
    }

    static JsonNode json(Answer answer) throws Exception {
        return Json.MAPPER.readTree(answer.body());
    }

    // ---------------------------------------------------------------- route

    @Test
    void routingAnswersAnUnknownPath404() throws Exception {
        Exchange e = exchange(HttpMethod.GET, "/v1/nothing", null);
        assertThat(run(e, api.routing)).isNull();
        Answer answer = answer(e);
        assertThat(answer.status()).isEqualTo(404);
        assertThat(json(answer).get("type").asText()).endsWith("/not-found");
    }

    @Test
    void routingAnswersAnotherMethod405WithAllow() throws Exception {
        Exchange e = exchange(HttpMethod.DELETE, "/v1/events/derby", null);
        assertThat(run(e, api.routing)).isNull();
        Answer answer = answer(e);
        assertThat(answer.status()).isEqualTo(405);
        assertThat(answer.headers()).containsEntry("allow", "GET, PATCH");
        assertThat(json(answer).get("detail").asText()).isEqualTo("DELETE is not allowed on /v1/events/{id}; allowed: GET, PATCH");
    }

    @Test
    void routingPassesOnWithTheRouteAndItsDecodedId() {
        Exchange passed = run(exchange(HttpMethod.POST, "/v1/events/e%31/transitions", null), api.routing);
        assertThat(passed.route().route().template()).isEqualTo("/v1/events/{id}/transitions");
        assertThat(passed.route().parameter("id")).isEqualTo("e1");
        assertThat(passed.answer()).isNotDone();
    }

    // ---------------------------------------------------------------- deadline

    @Test
    void deadlineComesFromRequestTimeoutOrTheDefault() {
        assertThat(run(exchange(HttpMethod.GET, "/healthz", null, "Request-Timeout", "2.5"), api.deadlines).deadline())
                .isEqualTo(NOW.plusMillis(2500));
        assertThat(run(exchange(HttpMethod.GET, "/healthz", null), api.deadlines).deadline()).isEqualTo(NOW.plusSeconds(1));
    }

    @Test
    void aBadRequestTimeoutIs400NamingTheHeader() throws Exception {
        for (String bad : new String[] {"soon", "0", "0.0001", "61", "-1"}) {
            Exchange e = exchange(HttpMethod.GET, "/healthz", null, "Request-Timeout", bad);
            assertThat(run(e, api.deadlines)).as(bad).isNull();
            Answer answer = answer(e);
            assertThat(answer.status()).as(bad).isEqualTo(400);
            assertThat(json(answer).get("field").asText()).isEqualTo("Request-Timeout");
        }
    }

    // ---------------------------------------------------------------- authenticate

    Exchange routed(HttpMethod method, String path, String body, String... headers) {
        Exchange e = run(exchange(method, path, body, headers), api.routing);
        channel.finishAndReleaseAll();
        return e;
    }

    @Test
    void authenticationTellsMissingForeignAndUnknownTokensApart() {
        Map<String, String> challenges = Map.of(
                "", Problems.CHALLENGE,
                "Basic dXNlcjpwYXNz", Problems.CHALLENGE + ", error=\"invalid_request\"",
                "Bearer nope", Problems.CHALLENGE + ", error=\"invalid_token\"");
        challenges.forEach((authorization, challenge) -> {
            Exchange e = authorization.isEmpty() ? routed(HttpMethod.GET, "/v1/events", null)
                    : routed(HttpMethod.GET, "/v1/events", null, "Authorization", authorization);
            assertThat(run(e, api.authentication)).isNull();
            Answer answer = answer(e);
            assertThat(answer.status()).isEqualTo(401);
            assertThat(answer.headers()).containsEntry("www-authenticate", challenge);
        });
    }

    @Test
    void aViewerMayReadNotWrite() throws Exception {
        Exchange read = run(routed(HttpMethod.GET, "/v1/events", null, "Authorization", "Bearer view-token"),
                api.authentication);
        assertThat(read.caller().token().name()).isEqualTo("victor");

        Exchange write = routed(HttpMethod.POST, "/v1/events", "{}", "Authorization", "Bearer view-token");
        assertThat(run(write, api.authentication)).isNull();
        Answer answer = answer(write);
        assertThat(answer.status()).isEqualTo(403);
        assertThat(json(answer).get("required_role").asText()).isEqualTo("OPERATOR");
    }

    // ---------------------------------------------------------------- media type

    @Test
    void aPatchOfAnotherTypeIs415WithAcceptPatch() throws Exception {
        Exchange e = routed(HttpMethod.PATCH, "/v1/events/derby", "{}", "Content-Type", "text/plain");
        assertThat(run(e, api.mediaTypes)).isNull();
        Answer answer = answer(e);
        assertThat(answer.status()).isEqualTo(415);
        assertThat(answer.headers()).containsEntry("Accept-Patch", "application/json, application/merge-patch+json");
    }

    @Test
    void aBodyInAnotherCharsetIs415AndJsonIsRead() {
        Exchange latin = routed(HttpMethod.POST, "/v1/events", "{}", "Content-Type", "application/json; charset=latin1");
        assertThat(run(latin, api.mediaTypes)).isNull();
        assertThat(answer(latin).status()).isEqualTo(415);

        Exchange json = routed(HttpMethod.POST, "/v1/events", "{\"id\":\"x\"}", "Content-Type", "application/json");
        assertThat(run(json, api.mediaTypes).json().get("id").asText()).isEqualTo("x");

        Exchange get = routed(HttpMethod.GET, "/v1/events", "not json");
        assertThat(run(get, api.mediaTypes).json()).isNull();
    }

    // ---------------------------------------------------------------- idempotency

    @Test
    void aBadIdempotencyKeyIs400AndReadsIgnoreTheHeader() throws Exception {
        for (String bad : new String[] {"\"\"", "x".repeat(256), "caf\u00e9"}) {
            Exchange e = routed(HttpMethod.POST, "/v1/events", "{}", "Idempotency-Key", bad);
            e.action(() -> CompletableFuture.completedFuture(Answer.json(201, Map.of())));
            assertThat(run(e, api.idempotent)).isNull();
            assertThat(json(answer(e)).get("field").asText()).isEqualTo("Idempotency-Key");
        }
        Exchange read = routed(HttpMethod.GET, "/v1/events", null, "Idempotency-Key", "\"\"");
        Supplier<CompletableFuture<Answer>> action = () -> CompletableFuture.completedFuture(
                Answer.json(200, List.of()));
        read.action(action);
        assertThat(run(read, api.idempotent).action()).isSameAs(action);
    }

    // ---------------------------------------------------------------- exchange

    @Test
    void answersToPipelinedRequestsAreWrittenInRequestOrder() {
        List<Exchange> seen = new ArrayList<>();
        channel = new EmbeddedChannel(api.exchanges, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                seen.add((Exchange) msg);
            }
        });
        channel.writeInbound(request("/v1/events/first"), request("/v1/events/second"));
        assertThat(seen).hasSize(2);

        seen.get(1).answer(Answer.json(200, Map.of("n", 2)));
        assertThat((Object) channel.readOutbound()).isNull();
        seen.get(0).answer(Answer.json(200, Map.of("n", 1)));

        FullHttpResponse first = channel.readOutbound();
        FullHttpResponse second = channel.readOutbound();
        try {
            assertThat(first.content().toString(StandardCharsets.UTF_8)).isEqualTo("{\"n\":1}");
            assertThat(second.content().toString(StandardCharsets.UTF_8)).isEqualTo("{\"n\":2}");
            assertThat(first.headers().get("Cache-Control")).isEqualTo("no-store");
        } finally {
            first.release();
            second.release();
        }
    }

    @Test
    void aFailedExchangeIsAnsweredWithItsProblem() throws Exception {
        List<Exchange> seen = new ArrayList<>();
        channel = new EmbeddedChannel(api.exchanges, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                seen.add((Exchange) msg);
            }
        });
        channel.writeInbound(request("/healthz"));
        seen.get(0).fail(new StoreUnavailableException("down", null));

        FullHttpResponse response = channel.readOutbound();
        try {
            assertThat(response.status().code()).isEqualTo(503);
            assertThat(response.headers().get("Content-Type")).isEqualTo(Problem.MEDIA_TYPE);
            assertThat(response.headers().get("Retry-After")).isNotNull();
            assertThat(response.headers().get("Cache-Control")).as("probes are not the API").isNull();
        } finally {
            response.release();
        }
    }

    static FullHttpRequest request(String path) {
        FullHttpRequest r = new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1, HttpMethod.GET, path);
        r.headers().set("Host", "localhost");
        return r;
    }
}
