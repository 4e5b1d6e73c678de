package io.kickoff.gateway.testing;

import io.kickoff.protocol.WireFormat;
import io.kickoff.protocol.v1.Ack;
import io.kickoff.protocol.v1.ClientFrame;
import io.kickoff.protocol.v1.Hello;
import io.kickoff.protocol.v1.ServerFrame;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A hand-driven device over the JDK's WebSocket client, speaking the JSON sub-protocol: it does
 * only what the test tells it (no automatic acks, hellos or reconnects), so tests can misbehave
 * on purpose.
 */
public final class RawDevice implements WebSocket.Listener {
    public final List<ServerFrame> received = new CopyOnWriteArrayList<>();
    public final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    public volatile String closeReason;
    private final StringBuilder text = new StringBuilder();
    public WebSocket socket;

    public static RawDevice connect(URI uri, String token) {
        return connect(uri, token, WireFormat.JSON.subprotocol());
    }

    public static RawDevice connect(URI uri, String token, String subprotocol) {
        RawDevice device = new RawDevice();
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(10)).subprotocols(subprotocol);
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        device.socket = builder.buildAsync(uri, device).orTimeout(20, TimeUnit.SECONDS).join();
        return device;
    }

    /** The HTTP status of a refused upgrade. */
    public static int refusedStatus(Throwable error) {
        Throwable t = error;
        while (t != null && !(t instanceof WebSocketHandshakeException)) {
            t = t.getCause();
        }
        if (t == null) {
            throw new AssertionError("not a refused handshake", error);
        }
        return ((WebSocketHandshakeException) t).getResponse().statusCode();
    }

    public static java.net.http.HttpResponse<?> refusal(Throwable error) {
        Throwable t = error;
        while (t != null && !(t instanceof WebSocketHandshakeException)) {
            t = t.getCause();
        }
        return ((WebSocketHandshakeException) t).getResponse();
    }

    public RawDevice send(ClientFrame frame) {
        return sendText(new String(WireFormat.JSON.encode(frame), StandardCharsets.UTF_8));
    }

    public RawDevice sendText(String json) {
        socket.sendText(json, true).orTimeout(10, TimeUnit.SECONDS).join();
        return this;
    }

    public RawDevice sendBinary(byte[] bytes) {
        socket.sendBinary(ByteBuffer.wrap(bytes), true).orTimeout(10, TimeUnit.SECONDS).join();
        return this;
    }

    public RawDevice hello(Map<String, Long> positions) {
        return send(ClientFrame.newBuilder().setHello(Hello.newBuilder().putAllPositions(positions)).build());
    }

    public RawDevice ack(String eventId, long seq) {
        return send(ClientFrame.newBuilder().setAck(Ack.newBuilder().setEventId(eventId).setSeq(seq)).build());
    }

    public long count(ServerFrame.FrameCase kind) {
        return received.stream().filter(f -> f.getFrameCase() == kind).count();
    }

    public List<ServerFrame> all(ServerFrame.FrameCase kind) {
        return received.stream().filter(f -> f.getFrameCase() == kind).toList();
    }

    public boolean closed() {
        return closeCode.isDone();
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
            try {
                received.add(WireFormat.JSON.decodeServerFrame(text.toString().getBytes(StandardCharsets.UTF_8)));
            } catch (Exception e) {
                throw new IllegalStateException("server sent an undecodable frame: " + text, e);
            }
            text.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeReason = reason;
        closeCode.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closeCode.complete(1006);
    }
}
