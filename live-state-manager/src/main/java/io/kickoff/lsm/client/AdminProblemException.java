package io.kickoff.lsm.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.Optional;

/**
 * The admin API refused a call: it answered another status than the operation's success, with an
 * {@code application/problem+json} document (RFC 9457) saying why.
 */
public final class AdminProblemException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient JsonNode problem;
    private final String body;
    private final String retryAfter;

    AdminProblemException(String call, int status, JsonNode problem, String body, String retryAfter) {
        super(call + " answered " + status + describe(problem, body));
        this.status = status;
        this.problem = problem == null ? MissingNode.getInstance() : problem;
        this.body = body;
        this.retryAfter = retryAfter;
    }

    private static String describe(JsonNode problem, String body) {
        if (problem == null || !problem.has("type")) {
            return body.isEmpty() ? "" : ": " + body;
        }
        return " " + shortType(problem) + ": " + problem.path("detail").asText(problem.path("title").asText());
    }

    private static String shortType(JsonNode problem) {
        String type = problem.path("type").asText();
        return type.substring(type.lastIndexOf('/') + 1);
    }

    public int status() {
        return status;
    }

    /** The problem document; a missing node when the answer was not JSON. */
    public JsonNode problem() {
        return problem;
    }

    /** The problem type's last path segment, e.g. {@code illegal-transition} or {@code store-unavailable}. */
    public String type() {
        return problem.has("type") ? shortType(problem) : "";
    }

    /** The answer's body as it came. */
    public String body() {
        return body;
    }

    /** The {@code Retry-After} header (seconds), on 503 answers. */
    public Optional<String> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
