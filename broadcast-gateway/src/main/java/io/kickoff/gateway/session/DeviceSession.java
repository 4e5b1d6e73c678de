package io.kickoff.gateway.session;

import io.kickoff.protocol.WireFormat;
import io.kickoff.protocol.token.DeviceClaims;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.util.HashMap;
import java.util.Map;

/**
 * One connected device. Everything mutable here is touched only on the channel's event loop,
 * so it needs no locks. Memory per device is this object plus one entry per active event.
 */
public final class DeviceSession {
    public static final AttributeKey<DeviceSession> KEY = AttributeKey.valueOf("kickoff.session");

    private final Channel channel;
    private final DeviceClaims claims;
    private final WireFormat format;
    // event id → highest seq the device reported or was sent; never send anything not above it.
    private final Map<String, Long> positions = new HashMap<>(4);
    private boolean greeted;
    // Index in the registry's list for this event loop; -1 when not registered.
    int slot = -1;

    public DeviceSession(Channel channel, DeviceClaims claims, WireFormat format) {
        this.channel = channel;
        this.claims = claims;
        this.format = format;
    }

    public Channel channel() {
        return channel;
    }

    public String deviceId() {
        return claims.deviceId();
    }

    public String segment() {
        return claims.segment();
    }

    public WireFormat format() {
        return format;
    }

    public boolean greeted() {
        return greeted;
    }

    void markGreeted() {
        greeted = true;
    }

    /** The highest seq this device has or was sent for the event; 0 if none. */
    public long position(String eventId) {
        Long seq = positions.get(eventId);
        return seq == null ? 0 : seq;
    }

    /** Moves the device's position forward to {@code seq}; returns false if it was already there or beyond. */
    public boolean advance(String eventId, long seq) {
        Long held = positions.get(eventId);
        if (held != null && held >= seq) {
            return false;
        }
        positions.put(eventId, seq);
        return true;
    }
}
