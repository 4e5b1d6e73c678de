package io.kickoff.lsm.api;

/** Thrown inside the admin API to answer with a problem. */
final class ApiError extends RuntimeException {
    private final Problem problem;

    ApiError(Problem problem) {
        super(problem.detail(), null, false, false);
        this.problem = problem;
    }

    Problem problem() {
        return problem;
    }

    static ApiError badRequest(String detail, String field) {
        return new ApiError(Problem.of(400, "validation", "Invalid request", detail)
                .with(field == null ? java.util.Map.of() : java.util.Map.of("field", field)));
    }
}
