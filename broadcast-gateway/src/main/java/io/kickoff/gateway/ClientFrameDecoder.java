package io.kickoff.gateway;

import io.kickoff.protocol.MalformedFrameException;
import io.kickoff.protocol.v1.ClientFrame;
import io.kickoff.protocol.v1.ErrorCode;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/**
 * Turns data frames into {@link ClientFrame}s in the session's wire format, within the
 * connection's inbound rate (acks of updates the server sent do not count against it). Over the rate: 1008; a frame of the wrong kind: 1003; one that does
 * not decode or carries no known frame: 1007 — each after an error frame that says why. Control
 * frames (ping, pong, close) are the WebSocket layer's and never come here.
 *
 * <p>Not a handler of its own: {@link DeviceSessionHandler} calls it, so a connection holds one
 * pipeline context fewer. It keeps no state (the rate budget is the session's), so one instance
 * serves every connection of a node.
 */
final class ClientFrameDecoder {
    private final Farewells farewells;
    private final int perSecond;
    private final int burst;

    public ClientFrameDecoder(Farewells farewells, int perSecond, int burst) {
        this.farewells = farewells;
        this.perSecond = perSecond;
        this.burst = burst;
    }

    /** True for the frames this decodes: data frames, binary or text. */
    static boolean isDataFrame(Object msg) {
        return msg instanceof BinaryWebSocketFrame || msg instanceof TextWebSocketFrame;
    }

    /**
     * The device's frame, or {@code null} if there is none to act on: the session is closing, or
     * the frame was refused (the session is then told why and closed). Does not release the frame.
     */
    ClientFrame decode(DeviceSession session, WebSocketFrame frame) {
        if (session.closing()) {
            return null;
        }
        boolean text = frame instanceof TextWebSocketFrame;
        if (text != session.format().isText()) {
            farewells.error(session, ErrorCode.PROTOCOL_VIOLATION, CloseCodes.UNSUPPORTED_DATA,
                    (text ? "text" : "binary") + " frames are not part of sub-protocol " + session.format().subprotocol(),
                    "bad_frame");
            return null;
        }
        ClientFrame decoded;
        try {
            decoded = session.format().decodeClientFrame(ByteBufUtil.getBytes(frame.content()));
        } catch (MalformedFrameException e) {
            farewells.error(session, ErrorCode.MALFORMED_FRAME, CloseCodes.INVALID_PAYLOAD, e.getMessage(), "bad_frame");
            return null;
        }
        if (decoded.getFrameCase() == ClientFrame.FrameCase.FRAME_NOT_SET) {
            farewells.error(session, ErrorCode.UNKNOWN_FRAME, CloseCodes.INVALID_PAYLOAD,
                    "the frame carries none of hello, ack, ping, viewing", "bad_frame");
            return null;
        }
        // Acks answer what the server sent, so they spend the credit each update granted; everything
        // else (and acks beyond what was sent) spends the connection's inbound rate budget.
        boolean expectedAck = decoded.getFrameCase() == ClientFrame.FrameCase.ACK && session.takeAckCredit();
        if (!expectedAck && !session.admitInbound(System.nanoTime(), perSecond, burst)) {
            farewells.error(session, ErrorCode.RATE_LIMITED, CloseCodes.POLICY_VIOLATION,
                    "more than " + perSecond + " frames per second", "rate_limited");
            return null;
        }
        return decoded;
    }
}
