package io.kickoff.protocol.token;

import java.time.Instant;
import java.util.Objects;

/** Who a device is, as its signed token says: its id, its audience segment and when the token expires. */
public record DeviceClaims(String deviceId, String segment, Instant expiresAt) {
    public DeviceClaims {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(segment, "segment");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (deviceId.isBlank()) {
            throw new IllegalArgumentException("deviceId must not be blank");
        }
        if (segment.isBlank()) {
            throw new IllegalArgumentException("segment must not be blank");
        }
    }
}
