package io.kickoff.gateway;

import io.kickoff.protocol.WireFormat;
import io.kickoff.protocol.v1.ServerFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Complete WebSocket frames, header included, for what many devices receive alike. Server frames
 * are not masked (RFC 6455 §5.1), so the bytes are the same for every device: encoded once, each
 * device gets a {@code retainedDuplicate()}, and the pipeline's frame encoder has nothing left to
 * do per device (a raw {@link ByteBuf} passes it untouched). The bytes live off-heap: the native
 * transports write only direct memory, and would otherwise copy a heap frame into a new direct
 * buffer for every device.
 */
final class WireFrames {
    private static final int FIN = 0x80;
    private static final int TEXT = 0x1;
    private static final int BINARY = 0x2;

    private WireFrames() {
    }

    public static ByteBuf encode(WireFormat format, ServerFrame frame) {
        byte[] payload = format.encode(frame);
        int length = payload.length;
        int header = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
        ByteBuf buf = Unpooled.directBuffer(header + length, header + length);
        buf.writeByte(FIN | (format.isText() ? TEXT : BINARY));
        if (length < 126) {
            buf.writeByte(length);
        } else if (length <= 0xFFFF) {
            buf.writeByte(126).writeShort(length);
        } else {
            buf.writeByte(127).writeLong(length);
        }
        return buf.writeBytes(payload);
    }
}
