package io.kickoff.lsm.api;

import java.util.Map;

/** Thrown inside the admin API to answer with a problem (and, if needed, headers such as Allow). */
final class ApiError extends RuntimeException {
    private final Problem problem;
    private final Map<String, String> headers;

    ApiError(Problem problem) {
        this(problem, Map.of());
    }

    ApiError(Problem problem, Map<String, String> headers) {
        super(problem.detail(), null, false, false);
        this.problem = problem;
        this.headers = Map.copyOf(headers);
    }

    Problem problem() {
        return problem;
    }

    Map<String, String> headers() {
        return headers;
    }

    /** 400: the request is not valid; {@code field} names the part at fault (a body property, a query parameter or a header). */
    static ApiError invalid(String field, String detail) {
        return new ApiError(Problem.of(400, "validation", "Invalid request", detail).with("field", field));
    }

    /** 400: the body is not JSON. */
    static ApiError malformed(String detail) {
        return new ApiError(Problem.of(400, "malformed-json", "Malformed JSON", detail));
    }

    static ApiError notFound(String detail) {
        return new ApiError(Problem.of(404, "not-found", "Not found", detail));
    }
}
