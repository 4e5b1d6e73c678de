package io.kickoff.lsm.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kickoff.protocol.v1.Stage;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * A client of the Live State Manager's admin API (docs/admin-api.yaml) over {@code java.net.http}:
 * what producers, the launcher, the load tests and the integration tests call it with.
 *
 * <p>Each operation answers an {@link AdminReply} on its success status (201 for a creation, 200
 * otherwise). Any other answer throws an {@link AdminProblemException} carrying the status and the
 * problem document; no answer at all (refused, reset, timed out) throws an
 * {@link AdminUnreachableException}. The {@code ...Async} forms complete with the same outcomes.
 */
public final class AdminClient {
    /** How long a call may take, from sending to the whole answer, unless given. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** How often {@link #whenReady} asks {@code /readyz}. */
    static final Duration READINESS_POLL = Duration.ofMillis(100);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JSON_TYPE = "application/json";

    private final URI base;
    private final String token;
    private final HttpClient http;
    private final Duration timeout;

    /**
     * @param base  the admin API's root, e.g. {@code http://127.0.0.1:8081} (or {@code https://}, trusted by the
     *              JDK's trust store)
     * @param token a bearer token of the admin API (an operator's to write, a viewer's is enough to read)
     */
    public AdminClient(URI base, String token) {
        this(base, token, HttpClient.newBuilder().connectTimeout(DEFAULT_TIMEOUT).build(), DEFAULT_TIMEOUT);
    }

    /**
     * As {@link #AdminClient(URI, String)}, for an {@code https://} admin API whose certificate {@code trust} accepts
     * (e.g. {@code TlsTrust.sslContext(caFile)} for a private CA); the server's name is checked against it.
     */
    public AdminClient(URI base, String token, SSLContext trust) {
        this(base, token, HttpClient.newBuilder().connectTimeout(DEFAULT_TIMEOUT).sslContext(trust).build(), DEFAULT_TIMEOUT);
    }

    /** As {@link #AdminClient(URI, String)}, over the given HTTP client (its executor, its connection pool). */
    public AdminClient(URI base, String token, HttpClient http, Duration timeout) {
        String root = base.toString().replaceAll("/+$", "");
        this.base = URI.create(root);
        this.token = Objects.requireNonNull(token, "token");
        this.http = Objects.requireNonNull(http, "http");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    public URI base() {
        return base;
    }

    // ---------------------------------------------------------------- writes

    /** {@code POST /v1/events}: creates the event in stage SCHEDULED (seq 0, version 1). */
    public AdminReply createEvent(NewEventRequest event) {
        return createEvent(event, WriteOptions.NONE);
    }

    public AdminReply createEvent(NewEventRequest event, WriteOptions options) {
        return send(createCall(event, options));
    }

    /**
     * {@code PATCH /v1/events/{id}}: changes the given properties (snake_case names of the
     * {@code EventPatch} schema; {@link Instant} and {@link Duration} values are written as text).
     * With {@link WriteOptions#ifMatch} the change applies only if the event is still at that ETag
     * (412 {@code precondition-failed} otherwise).
     */
    public AdminReply patchEvent(String id, Map<String, ?> changes, WriteOptions options) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        changes.forEach((name, value) -> body.set(name, JSON.valueToTree(
                value instanceof Instant || value instanceof Duration ? value.toString() : value)));
        return send(new Call("PATCH", eventPath(id), body, options, 200));
    }

    /**
     * {@code POST /v1/events/{id}/transitions}: moves the event to {@code to} now; with {@link WriteOptions#ifMatch},
     * only if the event is still at that ETag (412 {@code precondition-failed} otherwise).
     */
    public AdminReply transition(String id, Stage to) {
        return transition(id, to, WriteOptions.NONE);
    }

    public AdminReply transition(String id, Stage to, WriteOptions options) {
        return send(transitionCall(id, to, options));
    }

    public CompletableFuture<AdminReply> transitionAsync(String id, Stage to, WriteOptions options) {
        return sendAsync(transitionCall(id, to, options));
    }

    // ---------------------------------------------------------------- reads

    /** {@code GET /v1/events/{id}}: the event, with its ETag. */
    public AdminReply event(String id) {
        return send(new Call("GET", eventPath(id), null, WriteOptions.NONE, 200));
    }

    /** {@code GET /v1/events/{id}/history}: every change of the event, oldest first. */
    public AdminReply history(String id) {
        return send(new Call("GET", eventPath(id) + "/history", null, WriteOptions.NONE, 200));
    }

    /** {@code GET /v1/events/{id}/delivery}: how far each stage update of the event reached devices. */
    public AdminReply delivery(String id) {
        return send(new Call("GET", eventPath(id) + "/delivery", null, WriteOptions.NONE, 200));
    }

    /**
     * {@code GET /v1/events/{id}/audience}: how many devices play the event now, by segment, the plays after its recent
     * broadcasts and the series of the last hour. A 503 {@code audience-unavailable} (no audience source) throws
     * {@link AdminProblemException} like any other problem.
     */
    public AudienceAnswer audience(String id) {
        return AudienceAnswer.of(send(new Call("GET", eventPath(id) + "/audience", null, WriteOptions.NONE, 200)).body());
    }

    /** As {@link #audience(String)}, with the series from {@code since} on only. */
    public AudienceAnswer audience(String id, Instant since) {
        return AudienceAnswer.of(send(new Call("GET", eventPath(id) + "/audience?since="
                + URLEncoder.encode(since.toString(), StandardCharsets.UTF_8), null, WriteOptions.NONE, 200)).body());
    }

    // ---------------------------------------------------------------- readiness

    /** {@code GET /readyz} as it answers now, ready (200) or not (503). */
    public ReadinessAnswer readiness() {
        HttpRequest request = readinessRequest();
        return readinessOf(request, await(request, () -> http.send(request, HttpResponse.BodyHandlers.ofString())));
    }

    /**
     * Completes with the first ready answer of {@code /readyz}, asking again every 100 ms; after
     * {@code within}, fails with the last refusal ({@link AdminProblemException}, e.g. 503
     * {@code not-ready}) or {@link AdminUnreachableException} if nothing answered.
     */
    public CompletableFuture<ReadinessAnswer> whenReady(Duration within) {
        CompletableFuture<ReadinessAnswer> ready = new CompletableFuture<>();
        pollReadiness(System.nanoTime() + within.toNanos(), ready);
        return ready;
    }

    private void pollReadiness(long deadline, CompletableFuture<ReadinessAnswer> ready) {
        HttpRequest request = readinessRequest();
        http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, failure) -> {
            if (response != null && response.statusCode() == 200) {
                ready.complete(readinessOf(request, response));
            } else if (System.nanoTime() - deadline >= 0) {
                ready.completeExceptionally(response != null ? problem(describe(request), response)
                        : new AdminUnreachableException(describe(request) + " got no answer: " + unwrap(failure), unwrap(failure)));
            } else {
                CompletableFuture.delayedExecutor(READINESS_POLL.toMillis(), TimeUnit.MILLISECONDS)
                        .execute(() -> pollReadiness(deadline, ready));
            }
        });
    }

    private HttpRequest readinessRequest() {
        return HttpRequest.newBuilder(base.resolve("/readyz")).timeout(timeout).GET().build();
    }

    private static ReadinessAnswer readinessOf(HttpRequest request, HttpResponse<String> response) {
        if (response.statusCode() != 200 && response.statusCode() != 503) {
            throw problem(describe(request), response);
        }
        return new ReadinessAnswer(response.statusCode(), parse(response.body()));
    }

    // ---------------------------------------------------------------- plumbing

    /** One call: method, path, JSON body (or none), optional headers and the status that means success. */
    private record Call(String method, String path, JsonNode body, WriteOptions options, int success) {
    }

    private Call createCall(NewEventRequest event, WriteOptions options) {
        requireNoIfMatch(options, "creating an event");
        return new Call("POST", "/v1/events", event.toJson(), options, 201);
    }

    private Call transitionCall(String id, Stage to, WriteOptions options) {
        return new Call("POST", eventPath(id) + "/transitions",
                JsonNodeFactory.instance.objectNode().put("to", to.name()), options, 200);
    }

    /** The admin API reads If-Match on PATCH and transitions only: refused here rather than silently ignored there. */
    private static void requireNoIfMatch(WriteOptions options, String what) {
        if (options.ifMatch().isPresent()) {
            throw new IllegalArgumentException("the admin API takes If-Match on PATCH and transitions only, not on " + what);
        }
    }

    private static String eventPath(String id) {
        return "/v1/events/" + URLEncoder.encode(id, StandardCharsets.UTF_8);
    }

    private HttpRequest request(Call call) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(call.path())).timeout(timeout)
                .header("Authorization", "Bearer " + token);
        if (call.body() == null) {
            b.method(call.method(), HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", JSON_TYPE)
                    .method(call.method(), HttpRequest.BodyPublishers.ofString(call.body().toString()));
        }
        call.options().idempotencyKey().ifPresent(key -> b.header("Idempotency-Key", key));
        call.options().ifMatch().ifPresent(etag -> b.header("If-Match", etag));
        return b.build();
    }

    private AdminReply send(Call call) {
        HttpRequest request = request(call);
        return reply(call, request, await(request, () -> http.send(request, HttpResponse.BodyHandlers.ofString())));
    }

    private CompletableFuture<AdminReply> sendAsync(Call call) {
        HttpRequest request = request(call);
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .handle((response, failure) -> {
                    if (failure != null) {
                        Throwable cause = unwrap(failure);
                        throw new AdminUnreachableException(describe(request) + " got no answer: " + cause, cause);
                    }
                    return reply(call, request, response);
                });
    }

    private static AdminReply reply(Call call, HttpRequest request, HttpResponse<String> response) {
        if (response.statusCode() != call.success()) {
            throw problem(describe(request), response);
        }
        return new AdminReply(response.statusCode(), response.headers().firstValue("ETag"),
                response.headers().firstValue("Idempotent-Replayed").map("true"::equalsIgnoreCase).orElse(false),
                parse(response.body()));
    }

    private static AdminProblemException problem(String call, HttpResponse<String> response) {
        JsonNode problem = null;
        try {
            problem = JSON.readTree(response.body());
        } catch (JsonProcessingException e) {
            // not JSON (a proxy's page, say): the exception carries the raw body
        }
        return new AdminProblemException(call, response.statusCode(), problem, response.body(),
                response.headers().firstValue("Retry-After").orElse(null));
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the admin API answered something that is not JSON: " + body, e);
        }
    }

    private interface Exchange {
        HttpResponse<String> run() throws IOException, InterruptedException;
    }

    private static HttpResponse<String> await(HttpRequest request, Exchange exchange) {
        try {
            return exchange.run();
        } catch (IOException e) {
            throw new AdminUnreachableException(describe(request) + " got no answer: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdminUnreachableException(describe(request) + " interrupted", e);
        }
    }

    private static String describe(HttpRequest request) {
        return request.method() + " " + request.uri();
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
