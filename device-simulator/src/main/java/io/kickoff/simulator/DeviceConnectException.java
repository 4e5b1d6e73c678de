package io.kickoff.simulator;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import java.net.URI;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A device could not establish a session (TCP connect, WebSocket upgrade, or welcome). Carries the
 * HTTP status when the gateway refused the upgrade, so callers can tell "bad token" (401) from
 * "gateway full" (503).
 */
public final class DeviceConnectException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String deviceId;
    private final URI gateway;
    private final int httpStatus;
    private final long retryAfterMillis;

    private DeviceConnectException(String deviceId, URI gateway, int httpStatus, long retryAfterMillis, String detail,
            Throwable cause) {
        super(deviceId + " could not connect to " + gateway + ": " + detail, cause);
        this.deviceId = deviceId;
        this.gateway = gateway;
        this.httpStatus = httpStatus;
        this.retryAfterMillis = retryAfterMillis;
    }

    /** Describes why an attempt ended before welcome; {@code cause} may be null (closed without a reason). */
    static DeviceConnectException of(String deviceId, URI gateway, Throwable cause) {
        if (cause instanceof WebSocketClientHandshakeException handshake && handshake.response() != null) {
            HttpResponse response = handshake.response();
            int status = response.status().code();
            long retryAfter = parseRetryAfterMillis(response.headers().get(HttpHeaderNames.RETRY_AFTER));
            String detail = status == 101 ? handshake.getMessage() : "HTTP " + response.status();
            return new DeviceConnectException(deviceId, gateway, status == 101 ? 0 : status, retryAfter, detail, cause);
        }
        String tls = tlsFailure(cause);
        String detail = tls != null ? tls : cause == null ? "connection closed before welcome"
                : cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return new DeviceConnectException(deviceId, gateway, 0, -1, detail, cause);
    }

    /**
     * A failed TLS handshake (wss://), said with its innermost cause: the engine's own message can be as vague as
     * "General OpenSslEngine problem" when the real one is an untrusted certificate. Null if it was not TLS.
     */
    private static String tlsFailure(Throwable cause) {
        Throwable tls = null;
        Throwable root = cause;
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (tls == null && t instanceof javax.net.ssl.SSLException) {
                tls = t;
            }
            root = t;
        }
        if (tls == null) {
            return null;
        }
        return "TLS handshake failed: " + tls.getClass().getSimpleName()
                + (root == tls ? ": " + tls.getMessage() : " (" + root.getMessage() + ")");
    }

    private static long parseRetryAfterMillis(String header) {
        if (header == null) {
            return -1;
        }
        try {
            return Math.max(0, Long.parseLong(header.trim())) * 1000L;
        } catch (NumberFormatException e) {
            return -1; // an HTTP date; treat as absent and use backoff
        }
    }

    public String deviceId() {
        return deviceId;
    }

    public URI gateway() {
        return gateway;
    }

    /** The HTTP status the gateway refused the upgrade with, if it answered with one. */
    public OptionalInt httpStatus() {
        return httpStatus == 0 ? OptionalInt.empty() : OptionalInt.of(httpStatus);
    }

    /** The gateway's {@code Retry-After}, if it sent one in seconds. */
    OptionalLong retryAfterMillis() {
        return retryAfterMillis < 0 ? OptionalLong.empty() : OptionalLong.of(retryAfterMillis);
    }

    /** Client errors (4xx other than 408/429) mean the request itself is wrong: trying again cannot help. */
    boolean isRetryable() {
        return httpStatus < 400 || httpStatus >= 500 || httpStatus == 408 || httpStatus == 429;
    }
}
