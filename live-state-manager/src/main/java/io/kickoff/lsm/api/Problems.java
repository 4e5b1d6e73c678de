package io.kickoff.lsm.api;

import io.kickoff.http.LogText;
import io.kickoff.http.RetryAfter;
import io.kickoff.lsm.event.DeadlineExceededException;
import io.kickoff.lsm.event.EventExistsException;
import io.kickoff.lsm.event.IllegalChangeException;
import io.kickoff.lsm.event.IllegalTransitionException;
import io.kickoff.lsm.event.InvalidScheduleException;
import io.kickoff.lsm.event.StoreUnavailableException;
import io.kickoff.lsm.event.UnknownEventException;
import io.kickoff.lsm.event.VersionConflictException;
import io.kickoff.protocol.v1.Stage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every problem answer of the admin API ({@code application/problem+json}) is built here: the refusals of the edge,
 * those of the pipeline's steps, and the answer for whatever a request failed with ({@link #of}).
 */
final class Problems {
    private static final Logger log = LoggerFactory.getLogger(Problems.class);
    static final String CHALLENGE = "Bearer realm=\"kickoff-admin\"";

    private final RetryAfter retryAfter;

    Problems(RetryAfter retryAfter) {
        this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
    }

    /** The answer the server's edge gives on this API's behalf (bad request target, timeouts, over capacity). */
    static FullHttpResponse refusal(HttpResponseStatus status, String slug, String detail) {
        return Problem.of(status.code(), slug, status.reasonPhrase(), detail).answer(Map.of()).response(true);
    }

    static ApiError badRequest(String detail) {
        return new ApiError(Problem.of(400, "bad-request", "Bad request", detail));
    }

    static ApiError noRoute(String path) {
        return ApiError.notFound("no route for " + path);
    }

    static ApiError methodNotAllowed(String method, String template, String allow) {
        return new ApiError(Problem.of(405, "method-not-allowed", "Method not allowed",
                method + " is not allowed on " + template + "; allowed: " + allow),
                Map.of(HttpHeaderNames.ALLOW.toString(), allow));
    }

    static ApiError unauthorized(String detail, String challenge) {
        return new ApiError(Problem.of(401, "unauthorized", "Unauthorized", detail),
                Map.of(HttpHeaderNames.WWW_AUTHENTICATE.toString(), challenge));
    }

    static ApiError forbidden(AdminToken token) {
        return new ApiError(Problem.of(403, "forbidden", "Forbidden",
                "token '" + token.name() + "' is a " + token.role() + ": it may read, not write")
                .with("required_role", Role.OPERATOR.name()));
    }

    static ApiError unsupportedMediaType(String detail, Map<String, String> headers) {
        return new ApiError(Problem.of(415, "unsupported-media-type", "Unsupported media type", detail), headers);
    }

    static Answer tooLarge(String path, int maxBytes) {
        return Problem.of(413, "payload-too-large", "Payload too large", "the body is over " + maxBytes + " bytes")
                .at(path).answer(Map.of());
    }

    static ApiError preconditionFailed(String etag) {
        return new ApiError(Problem.of(412, "precondition-failed", "Precondition failed",
                "If-Match does not match: the event is at " + etag + "; read it again and retry")
                .with("current_etag", etag), Map.of(HttpHeaderNames.ETAG.toString(), etag));
    }

    static ApiError idempotencyKeyReused() {
        return new ApiError(Problem.of(422, "idempotency-key-reused", "Idempotency key reused",
                "this Idempotency-Key was used for a request with another body; use a new key for a new request")
                .with("field", Idempotent.HEADER));
    }

    /** 503 for good: this instance has no audience source (no Kafka, so no audience service); retrying will not help. */
    static ApiError audienceUnavailable() {
        return new ApiError(Problem.of(503, "audience-unavailable", "Audience unavailable",
                "this Live State Manager has no audience source: the audience needs Kafka and the audience service "
                        + "(memory mode has neither; kickoff lsm --no-audience turns it off)"));
    }

    Answer notReady(Map<String, String> checks, String detail) {
        return Problem.of(503, "not-ready", "Not ready", detail).at("/readyz").with("checks", checks)
                .answer(Map.of(HttpHeaderNames.RETRY_AFTER.toString(), retryAfter.value()));
    }

    /** The problem answer for a failure of any kind, about {@code path}. */
    Answer of(Throwable error, String path) {
        Throwable cause = unwrap(error);
        Problem problem;
        Map<String, String> headers = Map.of();
        if (cause instanceof ApiError api) {
            problem = api.problem();
            headers = api.headers();
        } else if (cause instanceof UnknownEventException) {
            problem = Problem.of(404, "unknown-event", "Unknown event", cause.getMessage());
        } else if (cause instanceof EventExistsException) {
            problem = Problem.of(409, "event-exists", "Event exists", cause.getMessage()).with("field", "id");
        } else if (cause instanceof IllegalTransitionException t) {
            problem = Problem.of(409, "illegal-transition", "Illegal transition", t.getMessage())
                    .with("current_stage", t.current().name())
                    .with("requested_stage", t.requested().name())
                    .with("allowed", t.allowed().stream().sorted(Comparator.comparingInt(Stage::getNumber)).map(Enum::name).toList());
        } else if (cause instanceof IllegalChangeException c) {
            problem = Problem.of(409, "illegal-change", "Illegal change", c.getMessage())
                    .with("field", c.field())
                    .with("current_stage", c.current().name());
        } else if (cause instanceof InvalidScheduleException s) {
            problem = Problem.of(400, "validation", "Invalid request", s.getMessage()).with("field", s.field());
        } else if (cause instanceof VersionConflictException) {
            problem = Problem.of(409, "concurrent-change", "Concurrent change",
                    "the event kept changing while this request was applied; retry");
        } else if (cause instanceof DeadlineExceededException) {
            problem = Problem.of(503, "deadline-exceeded", "Deadline exceeded",
                    "the request waited past its deadline and was NOT applied; retry (with the same Idempotency-Key)")
                    .with("applied", false);
            headers = Map.of(HttpHeaderNames.RETRY_AFTER.toString(), retryAfter.value());
        } else if (cause instanceof StoreUnavailableException || cause instanceof TimeoutException) {
            problem = Problem.of(503, "store-unavailable", "Service unavailable",
                    cause instanceof TimeoutException ? "the event store did not answer in time; a write that reached it before"
                                    + " its deadline may have been applied: retry with the same Idempotency-Key"
                            : "the event store is unreachable; retry later");
            headers = Map.of(HttpHeaderNames.RETRY_AFTER.toString(), retryAfter.value());
            log.warn("admin request {} answered 503: {}", LogText.escape(path), LogText.escape(cause.toString()));
        } else {
            log.error("admin request {} failed", LogText.escape(path), cause);
            problem = Problem.of(500, "internal", "Internal error", "the request failed; see the server log");
        }
        return (problem.instance() == null ? problem.at(path) : problem).answer(headers);
    }

    static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
