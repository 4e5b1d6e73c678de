package io.kickoff.gateway;

import io.kickoff.protocol.Timestamps;
import io.kickoff.protocol.WireFormat;
import io.kickoff.protocol.token.DeviceClaims;
import io.kickoff.protocol.token.DeviceTokens;
import io.kickoff.protocol.v1.ServerFrame;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.StageUpdate;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/** Shared test values for gateway unit tests. */
final class Fixtures {
    public static final Instant NOW = Instant.parse("2026-11-21T20:00:00Z");
    public static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    public static final DeviceTokens TOKENS = new DeviceTokens(
            "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8), CLOCK);

    private Fixtures() {
    }

    /** A publisher of viewing signals that is not started: what devices send stays in its queue for the test to read. */
    public static ViewingPublisher viewing() {
        return new ViewingPublisher(new io.kickoff.bus.InProcessEventBus(), GatewayConfig.ViewingSignals.DEFAULT, "gw-test");
    }

    public static StageUpdate update(String eventId, Stage stage, long seq, String... segments) {
        return StageUpdate.newBuilder().setEventId(eventId).setStage(stage).setSeq(seq)
                .setIssuedAt(Timestamps.of(NOW)).addAllSegments(java.util.List.of(segments)).build();
    }

    public static DeviceSession attachSession(EmbeddedChannel channel, String deviceId, String segment, WireFormat format) {
        DeviceSession session = new DeviceSession(channel,
                new DeviceClaims(deviceId, segment, NOW.plusSeconds(3600)), format);
        channel.attr(DeviceSession.KEY).set(session);
        return session;
    }

    /**
     * The buffer that owns the memory of a written view: through duplicates and the leak detector's
     * wrappers (which sample some allocations), so "the same bytes" is one identity.
     */
    public static ByteBuf memoryOf(Object written) {
        ByteBuf buf = (ByteBuf) written;
        while (buf.unwrap() != null) {
            buf = buf.unwrap();
        }
        return buf;
    }

    /** Decodes what a test channel wrote: a WebSocket frame object, or a complete frame's raw bytes. */
    public static ServerFrame decode(WireFormat format, Object written) throws Exception {
        try {
            if (written instanceof WebSocketFrame frame) {
                return format.decodeServerFrame(ByteBufUtil.getBytes(frame.content()));
            }
            ByteBuf raw = ((ByteBuf) written).duplicate();
            raw.readByte();
            int length = raw.readByte() & 0x7f;
            long size = length == 126 ? raw.readUnsignedShort() : length == 127 ? raw.readLong() : length;
            return format.decodeServerFrame(ByteBufUtil.getBytes(raw, raw.readerIndex(), (int) size));
        } finally {
            io.netty.util.ReferenceCountUtil.release(written);
        }
    }
}
