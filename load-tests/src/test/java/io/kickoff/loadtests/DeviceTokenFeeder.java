package io.kickoff.loadtests;

import io.kickoff.protocol.token.DeviceTokens;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gives each virtual device its own identity: {@code deviceId}, {@code segment} (round-robin over
 * the given segments) and a signed {@code token} (HS256 JWT, as {@code kickoff token} prints).
 * Tokens are issued as devices start rather than all up front, so a large herd does not wait for
 * thousands of signatures before the first device connects. Endless and thread-safe.
 */
final class DeviceTokenFeeder implements Iterator<Map<String, Object>> {
    private final DeviceTokens tokens;
    private final String idPrefix;
    private final List<String> segments;
    private final Duration ttl;
    private final AtomicLong next = new AtomicLong();

    DeviceTokenFeeder(String tokenSecret, String idPrefix, List<String> segments, Duration ttl) {
        this.tokens = DeviceTokens.withSecret(tokenSecret);
        this.idPrefix = idPrefix;
        this.segments = List.copyOf(segments);
        this.ttl = ttl;
    }

    @Override
    public boolean hasNext() {
        return true;
    }

    @Override
    public Map<String, Object> next() {
        long n = next.getAndIncrement();
        String deviceId = idPrefix + "-" + n;
        String segment = segments.get((int) (n % segments.size()));
        return Map.of("deviceId", deviceId, "segment", segment, "token", tokens.issue(deviceId, segment, ttl));
    }
}
