package io.kickoff.lsm.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * A successful answer of the admin API.
 *
 * @param status   the HTTP status (200 or 201)
 * @param etag     the event's ETag, on answers about one event
 * @param replayed whether this is the stored answer to an earlier request with the same Idempotency-Key
 * @param body     the JSON document (an {@code Event}, {@code History}, {@code Delivery}... of docs/admin-api.yaml)
 */
public record AdminReply(int status, Optional<String> etag, boolean replayed, JsonNode body) {

    /** The stage of the event this answer describes, e.g. {@code LIVE}. */
    public String stage() {
        return body.path("stage").asText();
    }

    /** The seq of the event's latest stage update. */
    public long seq() {
        return body.path("seq").asLong();
    }

    /** The event's version (the number inside its ETag). */
    public long version() {
        return body.path("version").asLong();
    }
}
