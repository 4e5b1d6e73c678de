package io.kickoff.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kickoff.gateway.Gateway;
import io.kickoff.gateway.GatewayConfig;
import io.kickoff.protocol.token.DeviceTokens;
import io.kickoff.protocol.v1.ServerFrame;
import io.kickoff.testkit.RawHttpConnection;
import io.kickoff.testkit.TestKafka;
import io.kickoff.gateway.testing.TestGateways;
import io.kickoff.gateway.testing.RawDevice;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The gateway's edge before and at the upgrade, on real sockets: sockets that never upgrade,
 * floods of bad tokens, requests over the limits and every refusal's shape.
 */
class UpgradeEdgeIT {
    static final DeviceTokens TOKENS = DeviceTokens.withSecret("upgrade-edge-it-secret-upgrade-edge!!");
    static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    @RegisterExtension
    final TestGateways gateways = TestGateways.onKafka(kafka, TOKENS);

    Gateway gateway(UnaryOperator<GatewayConfig.Builder> settings) throws Exception {
        return gateways.startReady("edge-" + UUID.randomUUID().toString().substring(0, 8), settings);
    }

    Socket socket(Gateway gateway) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", gateway.port()), 10_000);
        socket.setSoTimeout(20_000);
        gateways.closeAfter(socket);
        return socket;
    }

    static String upgrade(String target, String token, String... extraHeaderLines) {
        StringBuilder request = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n");
        if (token != null) {
            request.append("Authorization: Bearer ").append(token).append("\r\n");
        }
        for (String line : extraHeaderLines) {
            request.append(line).append("\r\n");
        }
        return request.append("\r\n").toString();
    }

    static String valid(String target, String token) {
        return upgrade(target, token, "Sec-WebSocket-Version: 13", "Sec-WebSocket-Protocol: kickoff.v1.json");
    }

    /** A raw exchange: the request's bytes, then everything the server sends until it closes. */
    record Exchange(String answer, boolean closedByServer) {
        int status() {
            return RawHttpConnection.status(answer);
        }

        String header(String name) {
            return RawHttpConnection.header(answer, name);
        }

        String body() {
            return RawHttpConnection.body(answer);
        }

        /** A refusal as docs/protocol.md §2 promises: plain text saying why, Connection: close, then closed. */
        Exchange isPlainRefusal(int expectedStatus) {
            assertThat(status()).as(answer).isEqualTo(expectedStatus);
            assertThat(header("Content-Type")).as(answer).startsWith("text/plain");
            assertThat(body()).as(answer).isNotBlank();
            assertThat(header("Connection")).as(answer).isEqualToIgnoringCase("close");
            assertThat(closedByServer()).as("the server closes after the refusal").isTrue();
            return this;
        }
    }

    Exchange exchange(Gateway gateway, String request) throws IOException {
        try (Socket socket = socket(gateway)) {
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return readUntilClosed(socket.getInputStream());
        }
    }

    static Exchange readUntilClosed(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
            }
        } catch (java.net.SocketTimeoutException e) {
            return new Exchange(out.toString(StandardCharsets.ISO_8859_1), false);
        } catch (SocketException reset) {
            // A reset after the answer still means closed.
        }
        return new Exchange(out.toString(StandardCharsets.ISO_8859_1), true);
    }

    // ---- §5: sockets that never upgrade ----

    @Test
    void silentSocketsNeitherHoldDeviceSlotsNorStayOpenPastTheUpgradeTimeout() throws Exception {
        int cap = 5;
        Gateway gateway = gateway(b -> b.maxConnections(cap).upgradeTimeout(Duration.ofSeconds(2)));
        List<Socket> silent = new ArrayList<>();
        for (int i = 0; i < cap + 20; i++) {
            silent.add(socket(gateway)); // connects, never sends a byte
        }
        // Devices get in while the silent sockets are still open: those hold no device slot.
        List<RawDevice> devices = new ArrayList<>();
        for (int i = 0; i < cap - 1; i++) {
            devices.add(gateways.device(gateway, "real-" + i).hello(Map.of()));
        }
        await().atMost(WAIT).until(() -> devices.stream().allMatch(d -> d.count(ServerFrame.FrameCase.WELCOME) == 1));
        assertThat(gateway.connectedDevices()).isEqualTo(cap - 1);

        // Past the upgrade timeout each silent socket is answered 408 and closed.
        List<CompletableFuture<Exchange>> ends = silent.stream()
                .map(s -> CompletableFuture.supplyAsync(() -> {
                    try {
                        return readUntilClosed(s.getInputStream());
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                })).toList();
        for (CompletableFuture<Exchange> end : ends) {
            end.get(30, TimeUnit.SECONDS).isPlainRefusal(408);
        }
        await().atMost(WAIT).until(() -> gateway.metrics().count("kickoff_gateway_closes", "reason", "upgrade_timeout")
                == cap + 20);
        // A device still gets in once they are gone (the last slot), and the greeted ones were not touched.
        RawDevice late = gateways.device(gateway, "late").hello(Map.of());
        await().atMost(WAIT).until(() -> late.count(ServerFrame.FrameCase.WELCOME) == 1);
        assertThat(gateway.connectedDevices()).isEqualTo(cap);
        assertThat(devices).noneMatch(RawDevice::closed);
    }

    // ---- §5: bad tokens stay out of the devices' budget ----

    @Test
    void aFloodOfBadTokensDoesNotKeepRealDevicesOut() throws Exception {
        int realDevices = 10;
        Gateway gateway = gateway(b -> b.maxConnectsPerSecond(realDevices));
        AtomicBoolean flooding = new AtomicBoolean(true);
        Map<Integer, Integer> floodAnswers = new ConcurrentHashMap<>();
        CompletableFuture<Void> flood = CompletableFuture.runAsync(() -> {
            int i = 0;
            while (flooding.get() || i < 200) {
                try {
                    floodAnswers.merge(exchange(gateway, valid("/v1/connect", "garbage-" + i++)).status(), 1, Integer::sum);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        gateways.closeAfter(() -> flooding.set(false));
        await().atMost(WAIT).until(() -> floodAnswers.values().stream().mapToInt(Integer::intValue).sum() >= 50);

        List<RawDevice> devices = new ArrayList<>();
        for (int i = 0; i < realDevices; i++) {
            devices.add(gateways.device(gateway, "real-" + i).hello(Map.of())); // throws if refused
        }
        await().atMost(WAIT).until(() -> devices.stream().allMatch(d -> d.count(ServerFrame.FrameCase.WELCOME) == 1));
        flooding.set(false);
        flood.get(60, TimeUnit.SECONDS);

        assertThat(floodAnswers.keySet()).as("bad tokens get 401, then 429 past their source's budget")
                .containsOnly(401, 429).contains(429);
        assertThat(gateway.metrics().count("kickoff_gateway_upgrades_refused", "reason", "over_rate")).isZero();
    }

    @Test
    void a429CarriesAJitteredRetryAfter() throws Exception {
        Gateway gateway = gateway(b -> b.authFailures(1, 1).retryAfter(Duration.ofSeconds(1), Duration.ofSeconds(60)));
        assertThat(exchange(gateway, valid("/v1/connect", "garbage")).isPlainRefusal(401).header("Retry-After")).isNull();
        List<String> retryAfters = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Exchange refusal = exchange(gateway, valid("/v1/connect", "garbage")).isPlainRefusal(429);
            assertThat(Integer.parseInt(refusal.header("Retry-After"))).isBetween(1, 60);
            retryAfters.add(refusal.header("Retry-After"));
        }
        assertThat(retryAfters.stream().distinct().count()).as("jittered").isGreaterThan(1);
    }

    // ---- §7: limits and the shape of every refusal ----

    @Test
    void aRequestLineOverTheLimitIs414AndHeadersOverTheLimitAre431() throws Exception {
        Gateway gateway = gateway(b -> b);
        exchange(gateway, valid("/v1/connect?token=" + gateways.token("long") + "&pad=" + "x".repeat(4_096), null))
                .isPlainRefusal(414);
        exchange(gateway, upgrade("/v1/connect", gateways.token("big"), "Sec-WebSocket-Version: 13",
                "Sec-WebSocket-Protocol: kickoff.v1.json", "X-Padding: " + "x".repeat(8_192))).isPlainRefusal(431);
    }

    @Test
    void everyRefusalIsPlainTextAndCloses() throws Exception {
        Gateway gateway = gateway(b -> b);
        String good = gateways.token("d");
        exchange(gateway, upgrade("/v1/connect", good, "Sec-WebSocket-Version: 12",
                "Sec-WebSocket-Protocol: kickoff.v1.json")).isPlainRefusal(426);
        assertThat(exchange(gateway, upgrade("/v1/connect", good, "Sec-WebSocket-Version: 12",
                "Sec-WebSocket-Protocol: kickoff.v1.json")).header("Sec-WebSocket-Version")).isEqualTo("13");
        exchange(gateway, upgrade("/v1/connect", good, "Sec-WebSocket-Protocol: kickoff.v1.json")).isPlainRefusal(400);
        exchange(gateway, upgrade("/v1/connect", good, "Sec-WebSocket-Version: 13")).isPlainRefusal(400);
        exchange(gateway, "POST /v1/connect HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n").isPlainRefusal(400);
        exchange(gateway, valid("/v1/connect", null)).isPlainRefusal(401);
        exchange(gateway, valid("/nowhere", good)).isPlainRefusal(404);
        exchange(gateway, valid("/v1/connect?token=%zz", null)).isPlainRefusal(400);
        exchange(gateway, "GET /v1/connect HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n").isPlainRefusal(413);
    }

    @Test
    void subprotocolsOfferedOnTwoHeaderLinesAreAccepted() throws Exception {
        Gateway gateway = gateway(b -> b);
        Socket socket = socket(gateway);
        socket.getOutputStream().write(upgrade("/v1/connect", gateways.token("two-lines"), "Sec-WebSocket-Version: 13",
                "Sec-WebSocket-Protocol: mqtt", "Sec-WebSocket-Protocol: kickoff.v1.json")
                .getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        String head = readHead(socket.getInputStream());
        assertThat(head).startsWith("HTTP/1.1 101 ");
        assertThat(head).containsIgnoringCase("sec-websocket-protocol: kickoff.v1.json");
    }

    @Test
    void brokenFramingCloses1002WithNoErrorFrameBeforeIt() throws Exception {
        Gateway gateway = gateway(b -> b);
        Socket socket = socket(gateway);
        socket.getOutputStream().write(valid("/v1/connect", gateways.token("rsv")).getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        InputStream in = socket.getInputStream();
        assertThat(readHead(in)).startsWith("HTTP/1.1 101 ");
        // A masked text frame with RSV1 set: no extension was negotiated, so that is a protocol error.
        socket.getOutputStream().write(new byte[] {(byte) 0xC1, (byte) 0x82, 1, 2, 3, 4, 'h' ^ 1, 'i' ^ 2});
        socket.getOutputStream().flush();
        int first = in.read();
        assertThat(first & 0x0f).as("the first frame back is the close frame, not an error frame").isEqualTo(0x8);
        int length = in.read() & 0x7f;
        byte[] payload = in.readNBytes(length);
        assertThat(((payload[0] & 0xff) << 8) | (payload[1] & 0xff)).isEqualTo(1002);
    }

    static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }
}
