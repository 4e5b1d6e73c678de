package io.kickoff.gateway;

import io.kickoff.protocol.WireFormat;
import io.kickoff.protocol.v1.ServerFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.AbstractReferenceCounted;

/**
 * The owner of what many devices receive alike: one server message encoded once per wire format
 * (a JSON text frame, a protobuf binary frame), each a complete WebSocket frame, header included.
 * Server frames are not masked (RFC 6455 §5.1), so the bytes are the same for every device, and
 * the pipeline's frame encoder has nothing left to do per device (a raw {@link ByteBuf} passes it
 * untouched). The bytes live off-heap: the native transports write only direct memory, and would
 * otherwise copy a heap frame into a new direct buffer for every device.
 *
 * <p>Fan-out ({@link StageFrames}), redelivery ({@link SessionUpkeep}) and bundles
 * ({@link HeldBundle}) all hold their encodings here, under one discipline:
 * <ul>
 *   <li>whoever holds a {@code WireFrames} holds one reference and releases it exactly once;
 *       handing it to another thread (an event loop's task) takes a reference of its own first
 *       ({@link #retain()}), which that task releases;</li>
 *   <li>a device gets the bytes only through {@link #retainedFrame}: a view with a reference of
 *       its own, which the channel releases once the frame is written (or dropped).</li>
 * </ul>
 * When the last holder releases, the encodings lose their own references; views still queued in
 * channels keep the bytes alive until they are written. Retaining and releasing are thread-safe;
 * the bytes are never modified after {@link #encode}.
 */
final class WireFrames extends AbstractReferenceCounted {
    private static final WireFormat[] FORMATS = WireFormat.values();
    private static final int FIN = 0x80;
    private static final int TEXT = 0x1;
    private static final int BINARY = 0x2;

    // Indexed by WireFormat.ordinal(): one array load on the fan-out's per-device path.
    private final ByteBuf[] byFormat;

    private WireFrames(ByteBuf[] byFormat) {
        this.byFormat = byFormat;
    }

    /** Encodes {@code frame} in every wire format; the caller holds the one reference. */
    static WireFrames encode(ServerFrame frame) {
        ByteBuf[] frames = new ByteBuf[FORMATS.length];
        try {
            for (WireFormat format : FORMATS) {
                frames[format.ordinal()] = frame(format, frame);
            }
        } catch (RuntimeException | Error e) {
            for (ByteBuf f : frames) {
                if (f != null) {
                    f.release();
                }
            }
            throw e;
        }
        return new WireFrames(frames);
    }

    /**
     * The frame for a device of {@code format}: a view of the shared bytes with a reference of its
     * own, to be written (the channel releases it). The only per-device work: one small object.
     */
    ByteBuf retainedFrame(WireFormat format) {
        return byFormat[format.ordinal()].retainedDuplicate();
    }

    @Override
    public WireFrames retain() {
        super.retain();
        return this;
    }

    @Override
    public WireFrames touch(Object hint) {
        for (ByteBuf f : byFormat) {
            f.touch(hint);
        }
        return this;
    }

    @Override
    protected void deallocate() {
        for (ByteBuf f : byFormat) {
            f.release();
        }
    }

    private static ByteBuf frame(WireFormat format, ServerFrame frame) {
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
