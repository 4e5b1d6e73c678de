package io.kickoff.lsm.event;

/** The first answer to a request with an Idempotency-Key, replayed to retries with the same key. */
public record StoredResponse(String requestHash, int status, String contentType, String etag, byte[] body) {
}
