package io.kickoff.gateway;

import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;

/** The WebSocket close codes the gateway uses; docs/protocol.md lists them for client authors. */
final class CloseCodes {
    private CloseCodes() {
    }

    /** The server wants the device elsewhere: drain, lifetime cap, a newer connection of the same device. A go-away frame came first. */
    public static final WebSocketCloseStatus GOING_AWAY = WebSocketCloseStatus.ENDPOINT_UNAVAILABLE; // 1001
    /** A frame of the wrong kind for the negotiated sub-protocol (binary on JSON, text on protobuf). */
    public static final WebSocketCloseStatus UNSUPPORTED_DATA = WebSocketCloseStatus.INVALID_MESSAGE_TYPE; // 1003
    /** A frame that does not decode, or decodes to no known frame. */
    public static final WebSocketCloseStatus INVALID_PAYLOAD = WebSocketCloseStatus.INVALID_PAYLOAD_DATA; // 1007
    /** The device broke a rule: no hello in time, a second hello, an ack before hello, too many frames per second. */
    public static final WebSocketCloseStatus POLICY_VIOLATION = WebSocketCloseStatus.POLICY_VIOLATION; // 1008
    /** A frame over the size cap (Netty's frame decoder sends this one itself). */
    public static final WebSocketCloseStatus TOO_BIG = WebSocketCloseStatus.MESSAGE_TOO_BIG; // 1009
    /** The connection stayed unwritable (the device does not read) past the slow-consumer limit. */
    public static final WebSocketCloseStatus SLOW_CONSUMER = new WebSocketCloseStatus(4001, "Slow consumer");
    /** Nothing was read from the device (not even a pong) within the idle limit. */
    public static final WebSocketCloseStatus IDLE = new WebSocketCloseStatus(4002, "Idle");
}
