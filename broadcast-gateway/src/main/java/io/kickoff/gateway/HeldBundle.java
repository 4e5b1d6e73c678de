package io.kickoff.gateway;

import io.netty.buffer.ByteBuf;
import io.kickoff.protocol.WireFormat;
import io.kickoff.protocol.v1.Bundle;
import io.kickoff.protocol.v1.ServerFrame;
import java.util.EnumMap;
import java.util.Map;

/**
 * The latest bundle of one (event, segment), encoded once per wire format. The holder owns one
 * reference to each encoding; readers on event loops take their own under this object's monitor,
 * so a concurrent replacement can never free the bytes between a read and its retain.
 */
final class HeldBundle {
    final Bundle bundle;
    final String eventId;
    final String segment;
    final String version;
    final long expiresAtSeconds;
    private final Map<WireFormat, ByteBuf> frames = new EnumMap<>(WireFormat.class);
    private boolean released;

    HeldBundle(Bundle bundle) {
        this.bundle = bundle;
        this.eventId = bundle.getEventId();
        this.segment = bundle.getSegment();
        this.version = bundle.getVersion();
        this.expiresAtSeconds = bundle.hasExpiresAt() ? bundle.getExpiresAt().getSeconds() : 0;
        ServerFrame frame = ServerFrame.newBuilder().setBundle(bundle).build();
        for (WireFormat format : WireFormat.values()) {
            frames.put(format, WireFrames.encode(format, frame));
        }
    }

    /** A reference of its own to the encoding for {@code format}, or null once released. */
    synchronized ByteBuf retainedFrame(WireFormat format) {
        return released ? null : frames.get(format).retainedDuplicate();
    }

    /** References of its own to every encoding, or null once released. */
    synchronized Map<WireFormat, ByteBuf> retainedFrames() {
        if (released) {
            return null;
        }
        Map<WireFormat, ByteBuf> copy = new EnumMap<>(WireFormat.class);
        frames.forEach((format, f) -> copy.put(format, f.retainedDuplicate()));
        return copy;
    }

    synchronized boolean isReleased() {
        return released;
    }

    /** Gives up the holder's references; readers' duplicates stay valid until they release them. */
    void release() {
        synchronized (this) {
            if (released) {
                return;
            }
            released = true;
        }
        release(frames);
    }

    static void release(Map<WireFormat, ByteBuf> frames) {
        frames.values().forEach(ByteBuf::release);
    }
}
