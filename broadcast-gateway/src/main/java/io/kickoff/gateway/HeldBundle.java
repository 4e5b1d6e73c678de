package io.kickoff.gateway;

import io.kickoff.protocol.WireFormat;
import io.kickoff.protocol.v1.Bundle;
import io.kickoff.protocol.v1.ServerFrame;
import io.netty.buffer.ByteBuf;

/**
 * The latest bundle of one (event, segment), encoded once ({@link WireFrames}). The holder owns one
 * reference to the encoding; readers on event loops take their own under this object's monitor,
 * so a concurrent replacement can never free the bytes between a read and its retain.
 */
final class HeldBundle {
    final Bundle bundle;
    final String eventId;
    final String segment;
    final String version;
    final long expiresAtSeconds;
    /** Thousandths of the push window this version's push takes (Bundle.push_window_permille); 0: all of it. */
    final int pushWindowPermille;
    private final WireFrames frames;
    private boolean released;

    HeldBundle(Bundle bundle) {
        this.pushWindowPermille = bundle.getPushWindowPermille();
        // The push window is for this gateway: devices get the bundle as the bundle API serves it.
        bundle = bundle.getPushWindowPermille() == 0 ? bundle : bundle.toBuilder().clearPushWindowPermille().build();
        this.bundle = bundle;
        this.eventId = bundle.getEventId();
        this.segment = bundle.getSegment();
        this.version = bundle.getVersion();
        this.expiresAtSeconds = bundle.hasExpiresAt() ? bundle.getExpiresAt().getSeconds() : 0;
        this.frames = WireFrames.encode(ServerFrame.newBuilder().setBundle(bundle).build());
    }

    /** A device's own view of the encoding for {@code format}, or null once released. */
    synchronized ByteBuf retainedFrame(WireFormat format) {
        return released ? null : frames.retainedFrame(format);
    }

    /** A reference of its own to the encoding (for a push on an event loop, which releases it), or null once released. */
    synchronized WireFrames retainedFrames() {
        return released ? null : frames.retain();
    }

    synchronized boolean isReleased() {
        return released;
    }

    /** Gives up the holder's reference; readers' references and views stay valid until they release them. */
    void release() {
        synchronized (this) {
            if (released) {
                return;
            }
            released = true;
        }
        frames.release();
    }
}
