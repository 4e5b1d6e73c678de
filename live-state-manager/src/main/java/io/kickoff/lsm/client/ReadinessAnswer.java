package io.kickoff.lsm.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What {@code /readyz} answered: 200 when ready, 503 otherwise, with the state of each check
 * ({@code store}, {@code bus}).
 */
public record ReadinessAnswer(int status, JsonNode body) {

    public boolean ready() {
        return status == 200;
    }

    /** The state of one check, {@code up} or {@code down}; empty when the answer does not name it. */
    public String check(String name) {
        return body.path("checks").path(name).asText();
    }
}
