package io.kickoff.lsm.idempotency;

/** The first answer to a request with an Idempotency-Key, replayed to retries with the same key. */
public record StoredResponse(String requestHash, int status, String contentType, String etag, byte[] body) {
}
