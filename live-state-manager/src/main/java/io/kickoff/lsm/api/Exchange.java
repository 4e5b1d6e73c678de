package io.kickoff.lsm.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kickoff.http.RouteTable;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * One request of the admin API on its way down the pipeline, and the answer it gets. Each step of the pipeline sets
 * what it learns once (the deadline, the route, the caller, the body, the action) and passes the exchange on, or
 * answers it; {@link Exchanges} writes the answer back, in request order. Copied out of the Netty request, so it
 * holds no buffer: the request is released as soon as the exchange starts.
 */
final class Exchange {
    private final HttpMethod method;
    private final String path;
    private final Map<String, List<String>> query;
    private final HttpHeaders headers;
    private final byte[] body;
    private final CompletableFuture<Answer> answer = new CompletableFuture<>();

    private Instant deadline;
    private RouteTable.Lookup.Found<AdminRoutes.Endpoint> route;
    private Caller caller;
    private ObjectNode json;
    private Supplier<CompletableFuture<Answer>> action;

    /** Who is calling: the token's fingerprint (scopes idempotency keys) and what the token is. */
    record Caller(String fingerprint, AdminToken token) {
    }

    Exchange(HttpMethod method, String path, Map<String, List<String>> query, HttpHeaders headers, byte[] body) {
        this.method = method;
        this.path = path;
        this.query = query;
        this.headers = headers;
        this.body = body;
    }

    HttpMethod method() {
        return method;
    }

    /** The path as sent (percent-encoded), without the query. */
    String path() {
        return path;
    }

    Map<String, List<String>> query() {
        return query;
    }

    String header(CharSequence name) {
        return headers.get(name);
    }

    byte[] body() {
        return body;
    }

    boolean writes() {
        return !method.equals(HttpMethod.GET);
    }

    /** The answer, once a step gives it. */
    CompletableFuture<Answer> answer() {
        return answer;
    }

    /** Answers with what {@code work} completes with (a failure becomes a problem answer). */
    void answer(CompletableFuture<Answer> work) {
        work.whenComplete((a, error) -> {
            if (error == null) {
                answer.complete(a);
            } else {
                answer.completeExceptionally(error);
            }
        });
    }

    void answer(Answer a) {
        answer.complete(a);
    }

    /** Answers with the problem for {@code error}. */
    void fail(Throwable error) {
        answer.completeExceptionally(error);
    }

    Instant deadline() {
        return deadline;
    }

    void deadline(Instant deadline) {
        this.deadline = deadline;
    }

    RouteTable.Lookup.Found<AdminRoutes.Endpoint> route() {
        return route;
    }

    void route(RouteTable.Lookup.Found<AdminRoutes.Endpoint> route) {
        this.route = route;
    }

    Caller caller() {
        return caller;
    }

    void caller(Caller caller) {
        this.caller = caller;
    }

    /** The JSON object body of a write (empty object for a write without body and type). */
    ObjectNode json() {
        return json;
    }

    void json(ObjectNode json) {
        this.json = json;
    }

    /** What the route will do, its input read and checked. */
    Supplier<CompletableFuture<Answer>> action() {
        return action;
    }

    void action(Supplier<CompletableFuture<Answer>> action) {
        this.action = action;
    }
}
