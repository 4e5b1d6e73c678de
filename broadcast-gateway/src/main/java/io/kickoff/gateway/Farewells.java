package io.kickoff.gateway;

import io.kickoff.protocol.v1.Error;
import io.kickoff.protocol.v1.ErrorCode;
import io.kickoff.protocol.v1.GoAway;
import io.kickoff.protocol.v1.ServerFrame;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ways the server ends a device connection, each with the frames the protocol promises:
 * an error frame then a close code for bad input; a go-away with a reconnect delay then 1001
 * when the server wants the device elsewhere (on drain, the 1001 after a grace in which the device
 * reconnects elsewhere); a bare close code when the device is not keeping up.
 */
final class Farewells {
    private static final Logger log = LoggerFactory.getLogger(Farewells.class);

    private final GatewayMetrics metrics;

    public Farewells(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    /** Bad input or a broken rule: error frame saying why, then the close code. */
    public void error(DeviceSession session, ErrorCode code, WebSocketCloseStatus status, String why, String metricReason) {
        if (!begin(session, metricReason)) {
            return;
        }
        log.debug("closing device {} with {}: {}", session.deviceId(), status.code(), why);
        Channel channel = session.channel();
        channel.write(ServerFrame.newBuilder().setError(Error.newBuilder().setCode(code).setMessage(why)).build());
        close(channel, status, why);
    }

    /**
     * The device broke the WebSocket framing (1002) or sent invalid UTF-8 (1007): the close code and
     * a reason, no error frame. The device's WebSocket layer reports these itself, and error frames
     * belong to the Kickoff protocol on top, which never got a readable frame.
     */
    public void framingViolation(DeviceSession session, WebSocketCloseStatus status, String why) {
        if (!begin(session, "bad_framing")) {
            return;
        }
        log.debug("closing device {} with {}: {}", session.deviceId(), status.code(), why);
        close(session.channel(), status, why);
    }

    /** The server wants this device to reconnect (elsewhere, later): go-away, then 1001. */
    public void goAway(DeviceSession session, long reconnectAfterMillis, String reason) {
        if (!begin(session, reason)) {
            return;
        }
        Channel channel = session.channel();
        channel.write(ServerFrame.newBuilder().setGoAway(GoAway.newBuilder()
                .setReconnectAfterMs((int) Math.min(Integer.MAX_VALUE, reconnectAfterMillis)).setReason(reason)).build());
        close(channel, CloseCodes.GOING_AWAY, reason);
    }

    /**
     * The server wants this device elsewhere but lets it keep the connection while it reconnects:
     * go-away (reconnect at once), flushed; the close (1001) follows at {@code closeAtNanos}, when
     * {@link SessionUpkeep} calls {@link #closeAfterGoAway}, unless the device closed first.
     */
    public void goAwayThenClose(DeviceSession session, String reason, long closeAtNanos) {
        if (!begin(session, reason)) {
            return;
        }
        session.closeAt(closeAtNanos);
        session.channel().writeAndFlush(ServerFrame.newBuilder().setGoAway(GoAway.newBuilder()
                .setReconnectAfterMs(0).setReason(reason)).build(), session.channel().voidPromise());
    }

    /** The grace after {@link #goAwayThenClose} is over: 1001 and close (at once if the device is not reading). */
    void closeAfterGoAway(DeviceSession session, String reason) {
        session.closeAt(Long.MAX_VALUE);
        Channel channel = session.channel();
        if (channel.isWritable()) {
            close(channel, CloseCodes.GOING_AWAY, reason);
        } else {
            channel.writeAndFlush(new CloseWebSocketFrame(CloseCodes.GOING_AWAY.code(), reason));
            channel.close();
        }
    }

    /**
     * The device is not keeping up or has gone silent. The close frame may not get through a full
     * buffer, so the connection is closed right after; the device resumes on reconnect.
     */
    public void drop(DeviceSession session, WebSocketCloseStatus status, String why, String metricReason) {
        if (!begin(session, metricReason)) {
            return;
        }
        log.debug("dropping device {} with {}: {}", session.deviceId(), status.code(), why);
        session.channel().writeAndFlush(new CloseWebSocketFrame(status.code(), truncate(why)));
        session.channel().close();
    }

    private boolean begin(DeviceSession session, String metricReason) {
        if (session.closing()) {
            return false;
        }
        session.markClosing();
        metrics.closed(metricReason);
        return true;
    }

    private static void close(Channel channel, WebSocketCloseStatus status, String why) {
        channel.writeAndFlush(new CloseWebSocketFrame(status.code(), truncate(why))).addListener(ChannelFutureListener.CLOSE);
    }

    // Close reasons are capped at 123 bytes by RFC 6455.
    private static String truncate(String why) {
        return why.length() > 120 ? why.substring(0, 120) : why;
    }
}
