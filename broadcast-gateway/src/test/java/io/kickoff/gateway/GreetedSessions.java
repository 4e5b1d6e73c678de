package io.kickoff.gateway;

import io.kickoff.protocol.WireFormat;
import io.netty.channel.embedded.EmbeddedChannel;

/** Devices as the session handler leaves them after the welcome, for tests of what runs on greeted sessions. */
final class GreetedSessions {
    static final long SECOND = 1_000_000_000L;

    private GreetedSessions() {
    }

    /**
     * A channel (with the frame encoder) of protobuf device {@code id} in {@code us-en}: greeted, last read and
     * pinged at {@code atNanos}, not due to move for an hour, and in {@code registry}.
     */
    static EmbeddedChannel open(SessionRegistry registry, String id, long atNanos) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast(new ServerFrameEncoder());
        DeviceSession session = Fixtures.attachSession(ch, id, "us-en", WireFormat.PROTOBUF);
        session.markGreeted();
        session.readAt(atNanos);
        session.pingedAt(atNanos);
        session.moveAt(atNanos + 3600 * SECOND);
        registry.add(session);
        return ch;
    }
}
