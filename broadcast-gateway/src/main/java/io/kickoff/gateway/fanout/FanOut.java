package io.kickoff.gateway.fanout;

import io.kickoff.gateway.session.DeviceSession;
import io.kickoff.gateway.session.SessionRegistry;
import io.kickoff.gateway.state.WorldState;
import io.kickoff.protocol.WireFormat;
import io.kickoff.protocol.v1.ServerFrame;
import io.kickoff.protocol.v1.StageUpdate;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one stage update to every device in its audience. The update is encoded once per wire
 * format; each device gets a {@code retainedDuplicate()} of those bytes, so a broadcast to N
 * devices allocates N small frame wrappers and nothing else. Work is one task per event loop
 * that walks that loop's devices, never one task per device.
 */
public final class FanOut {
    private static final Logger log = LoggerFactory.getLogger(FanOut.class);

    private final SessionRegistry registry;
    private final LongAdder written = new LongAdder();

    public FanOut(SessionRegistry registry) {
        this.registry = registry;
    }

    /** Encodes a server frame in a format, ready to be duplicated per device. */
    public static WebSocketFrame encode(WireFormat format, ServerFrame frame) {
        byte[] bytes = format.encode(frame);
        return format.isText()
                ? new TextWebSocketFrame(Unpooled.wrappedBuffer(bytes))
                : new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes));
    }

    /** Schedules the broadcast on every event loop and returns at once; never blocks the caller. */
    public void broadcast(StageUpdate update) {
        ServerFrame frame = ServerFrame.newBuilder().setStageUpdate(update).build();
        Map<WireFormat, WebSocketFrame> encoded = new EnumMap<>(WireFormat.class);
        for (WireFormat format : WireFormat.values()) {
            encoded.put(format, encode(format, frame));
        }
        try {
            for (SessionRegistry.LoopSessions group : registry.loops()) {
                Map<WireFormat, WebSocketFrame> mine = new EnumMap<>(WireFormat.class);
                encoded.forEach((format, f) -> mine.put(format, f.retainedDuplicate()));
                group.loop().execute(() -> {
                    try {
                        written.add(sendAll(group.sessions(), update, mine));
                    } finally {
                        mine.values().forEach(WebSocketFrame::release);
                    }
                });
            }
        } finally {
            encoded.values().forEach(WebSocketFrame::release);
        }
    }

    /** Runs on the group's event loop. */
    private static int sendAll(List<DeviceSession> sessions, StageUpdate update, Map<WireFormat, WebSocketFrame> frames) {
        int sent = 0;
        String eventId = update.getEventId();
        for (int i = 0; i < sessions.size(); i++) {
            DeviceSession session = sessions.get(i);
            if (!WorldState.isAudience(update, session.segment()) || !session.advance(eventId, update.getSeq())) {
                continue;
            }
            Channel channel = session.channel();
            // One frame per channel per update, so write-then-flush is already one syscall per device.
            channel.writeAndFlush(frames.get(session.format()).retainedDuplicate(), channel.voidPromise());
            sent++;
        }
        if (log.isDebugEnabled()) {
            log.debug("update {} seq {} written to {} devices", eventId, update.getSeq(), sent);
        }
        return sent;
    }

    /** Frames written by broadcasts since start. */
    public long written() {
        return written.sum();
    }
}
