package io.kickoff.protocol.token;

import java.time.Instant;
import java.util.Objects;

/**
 * Who a device is, as its signed token says: its id, its audience segment, when the token expires and
 * the account it belongs to ({@code ""} when the token names none).
 */
public record DeviceClaims(String deviceId, String segment, Instant expiresAt, String account) {
    /** Claims without an account. */
    public DeviceClaims(String deviceId, String segment, Instant expiresAt) {
        this(deviceId, segment, expiresAt, "");
    }

    public DeviceClaims {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(segment, "segment");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(account, "account");
        if (deviceId.isBlank()) {
            throw new IllegalArgumentException("deviceId must not be blank");
        }
        if (segment.isBlank()) {
            throw new IllegalArgumentException("segment must not be blank");
        }
    }
}
