package io.kickoff.http;

import java.time.Duration;
import java.util.Objects;

/**
 * What the edge of an HTTP server allows a connection (see {@link HttpEdge}).
 *
 * @param headerTimeout  from the first byte of a request until its headers are complete; over it: 408 and close
 * @param bodyTimeout    from the end of the headers until the whole body is in; over it: 408 and close
 * @param idleTimeout    a connection with no request in progress and no answer owed is closed after this (keep-alive)
 * @param maxConnections open connections the server keeps; one more is answered 503 with {@code Retry-After}, then closed
 * @param retryAfterMin  smallest {@code Retry-After} of a 503 (each one gets a random whole number of seconds in between)
 * @param retryAfterMax  largest {@code Retry-After} of a 503
 * @param maxRequestLine longest request line in bytes; over it: 414
 * @param maxHeaderBytes largest header block in bytes; over it: 431
 */
public record EdgeLimits(Duration headerTimeout, Duration bodyTimeout, Duration idleTimeout, int maxConnections,
                         Duration retryAfterMin, Duration retryAfterMax, int maxRequestLine, int maxHeaderBytes) {

    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_BODY_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_RETRY_AFTER_MIN = Duration.ofSeconds(1);
    public static final Duration DEFAULT_RETRY_AFTER_MAX = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_REQUEST_LINE = 4096;
    public static final int DEFAULT_MAX_HEADER_BYTES = 8192;

    public EdgeLimits {
        Objects.requireNonNull(headerTimeout, "headerTimeout");
        Objects.requireNonNull(bodyTimeout, "bodyTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(retryAfterMin, "retryAfterMin");
        Objects.requireNonNull(retryAfterMax, "retryAfterMax");
        for (Duration d : new Duration[] {headerTimeout, bodyTimeout, idleTimeout}) {
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException("timeouts must be positive, got " + d);
            }
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1, got " + maxConnections);
        }
        if (retryAfterMin.toSeconds() < 1 || retryAfterMax.compareTo(retryAfterMin) < 0) {
            throw new IllegalArgumentException("Retry-After needs 1 s <= min <= max, got " + retryAfterMin + " and " + retryAfterMax);
        }
        if (maxRequestLine < 64 || maxHeaderBytes < 256) {
            throw new IllegalArgumentException("maxRequestLine must be at least 64 and maxHeaderBytes at least 256");
        }
    }

    /** Header and body 10 s, idle 60 s, Retry-After 1–10 s, request line 4 KiB, headers 8 KiB; the cap given. */
    public static EdgeLimits defaults(int maxConnections) {
        return new EdgeLimits(DEFAULT_HEADER_TIMEOUT, DEFAULT_BODY_TIMEOUT, DEFAULT_IDLE_TIMEOUT, maxConnections,
                DEFAULT_RETRY_AFTER_MIN, DEFAULT_RETRY_AFTER_MAX, DEFAULT_MAX_REQUEST_LINE, DEFAULT_MAX_HEADER_BYTES);
    }

    public EdgeLimits withTimeouts(Duration header, Duration body, Duration idle) {
        return new EdgeLimits(header, body, idle, maxConnections, retryAfterMin, retryAfterMax, maxRequestLine, maxHeaderBytes);
    }

    public EdgeLimits withMaxConnections(int max) {
        return new EdgeLimits(headerTimeout, bodyTimeout, idleTimeout, max, retryAfterMin, retryAfterMax, maxRequestLine,
                maxHeaderBytes);
    }

    public EdgeLimits withRetryAfter(Duration min, Duration max) {
        return new EdgeLimits(headerTimeout, bodyTimeout, idleTimeout, maxConnections, min, max, maxRequestLine, maxHeaderBytes);
    }

    /** The jittered Retry-After of these limits. */
    public RetryAfter retryAfter() {
        return RetryAfter.between(retryAfterMin, retryAfterMax);
    }
}
