package io.kickoff.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kickoff.protocol.WireFormat;
import io.kickoff.protocol.v1.Bundle;
import io.kickoff.protocol.v1.Rendering;
import io.kickoff.protocol.v1.ServerFrame;
import io.kickoff.protocol.v1.Stage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.IllegalReferenceCountException;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The one owner of what many devices receive alike: its bytes, and when they are given back. */
class WireFramesTest {

    static ServerFrame stageUpdate() {
        return ServerFrame.newBuilder().setStageUpdate(Fixtures.update("final", Stage.LIVE, 7)).build();
    }

    /** A bundle frame whose payload is about {@code size} bytes: 7-bit, 16-bit and 64-bit lengths. */
    static ServerFrame bundleOfAbout(int size) {
        return ServerFrame.newBuilder().setBundle(Bundle.newBuilder().setEventId("final").setSegment("us-en")
                .setVersion("v1").putStages("LIVE", Rendering.newBuilder().setRowTitle("x".repeat(size)).build()))
                .build();
    }

    /** What Netty's own server-side encoder writes for the same message: the bytes every device must get. */
    static byte[] asNettyWritesIt(WireFormat format, ServerFrame frame) {
        byte[] payload = format.encode(frame);
        WebSocketFrame ws = format.isText() ? new TextWebSocketFrame(Unpooled.wrappedBuffer(payload))
                : new BinaryWebSocketFrame(Unpooled.wrappedBuffer(payload));
        EmbeddedChannel ch = new EmbeddedChannel(new WebSocket08FrameEncoder(false));
        ch.writeOutbound(ws);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (ByteBuf out = ch.readOutbound(); out != null; out = ch.readOutbound()) {
            bytes.writeBytes(ByteBufUtil.getBytes(out));
            out.release();
        }
        ch.finishAndReleaseAll();
        return bytes.toByteArray();
    }

    static byte[] bytesOf(ByteBuf view) {
        try {
            return ByteBufUtil.getBytes(view);
        } finally {
            view.release();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 300, 70_000})
    void eachFormatIsTheCompleteWebSocketFrameNettyWouldWrite(int size) {
        ServerFrame frame = size == 0 ? stageUpdate() : bundleOfAbout(size);
        WireFrames frames = WireFrames.encode(frame);
        try {
            for (WireFormat format : WireFormat.values()) {
                byte[] ours = bytesOf(frames.retainedFrame(format));
                assertThat(ours).as(format + ", payload of about " + size + " bytes")
                        .isEqualTo(asNettyWritesIt(format, frame));
                assertThat(ours[0] & 0xff).isEqualTo(format.isText() ? 0x81 : 0x82); // FIN, text or binary
            }
        } finally {
            frames.release();
        }
    }

    @Test
    void devicesGetDirectViewsOfOneCopyPerFormat() {
        WireFrames frames = WireFrames.encode(stageUpdate());
        List<ByteBuf> views = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            views.add(frames.retainedFrame(WireFormat.PROTOBUF));
        }
        ByteBuf json = frames.retainedFrame(WireFormat.JSON);
        ByteBuf memory = Fixtures.memoryOf(views.get(0));
        assertThat(views).allSatisfy(v -> assertThat(Fixtures.memoryOf(v)).isSameAs(memory));
        assertThat(views).allSatisfy(v -> assertThat(v.isDirect()).isTrue());
        assertThat(Fixtures.memoryOf(json)).isNotSameAs(memory);
        // The owner's reference and one per view.
        assertThat(memory.refCnt()).isEqualTo(4);

        frames.release();
        assertThat(frames.refCnt()).isZero();
        assertThat(memory.refCnt()).as("views still queued in channels keep the bytes").isEqualTo(3);
        assertThat(bytesOf(views.get(0))).isEqualTo(bytesOf(views.get(1)));
        views.get(2).release();
        assertThat(memory.refCnt()).isZero();
        json.release();
        assertThat(Fixtures.memoryOf(json).refCnt()).isZero();
    }

    @Test
    void aReferenceHandedToAnotherHolderOutlivesTheFirstRelease() {
        WireFrames frames = WireFrames.encode(stageUpdate());
        ByteBuf first = frames.retainedFrame(WireFormat.PROTOBUF);
        ByteBuf memory = Fixtures.memoryOf(first);
        first.release();

        assertThat(frames.retain()).isSameAs(frames); // e.g. an event loop's task
        frames.release();                             // the holder that made it
        assertThat(memory.refCnt()).as("still held by the task").isEqualTo(1);
        ByteBuf late = frames.retainedFrame(WireFormat.PROTOBUF);
        frames.release();                             // the task is done
        assertThat(memory.refCnt()).isEqualTo(1);
        late.release();
        assertThat(memory.refCnt()).isZero();
        // A release too many fails loudly instead of freeing bytes twice.
        assertThatThrownBy(frames::release).isInstanceOf(IllegalReferenceCountException.class);
    }
}
