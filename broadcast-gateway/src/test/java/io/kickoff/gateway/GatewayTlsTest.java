package io.kickoff.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.kickoff.bus.InProcessEventBus;
import io.kickoff.bus.Topic;
import io.kickoff.http.ServerTls;
import io.kickoff.http.TlsFiles;
import io.kickoff.http.TlsTrust;
import io.kickoff.protocol.WireFormat;
import io.kickoff.protocol.token.DeviceTokens;
import io.kickoff.protocol.v1.ServerFrame;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.simulator.DeviceConnectException;
import io.kickoff.simulator.DeviceFleet;
import io.kickoff.simulator.FleetConfig;
import io.kickoff.testkit.RawHttpConnection;
import io.kickoff.testkit.TestCertificates;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** A gateway on wss://, with devices that trust its certificate and some that do not. */
class GatewayTlsTest {
    static final DeviceTokens TOKENS = DeviceTokens.withSecret("gateway-tls-secret-gateway-tls-secret!!");
    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    final TestCertificates authority = TestCertificates.authority("kickoff test CA");
    final InProcessEventBus bus = new InProcessEventBus();
    final List<AutoCloseable> closeAfter = new CopyOnWriteArrayList<>();
    Path cert;
    Path key;
    Path trust;

    @BeforeEach
    void files() {
        cert = dir.resolve("cert.pem");
        key = dir.resolve("key.pem");
        authority.issue(1).writeTo(cert, key);
        trust = authority.writeTrust(dir.resolve("ca.pem"));
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeAfter) {
            c.close();
        }
        bus.close();
    }

    Gateway gateway(GatewayConfig.WarmUp warmUp) throws Exception {
        Gateway gateway = Gateway.start(GatewayConfig.builder().host("127.0.0.1").port(0).nodeId("gw-tls").warmUp(warmUp)
                .tls(TlsFiles.of(cert, key).withReloadCheck(Duration.ofMillis(100))).build(), TOKENS, bus, Clock.systemUTC());
        closeAfter.add(0, gateway);
        await().atMost(Duration.ofSeconds(60)).until(gateway::isReady);
        return gateway;
    }

    DeviceFleet fleet(Gateway gateway, int devices, boolean trusting) {
        FleetConfig.Builder config = FleetConfig.builder().gateway("wss://localhost:" + gateway.port()).devices(devices)
                .deviceIds(i -> "tls-" + i + (trusting ? "" : "-stranger"))
                .tokens(i -> TOKENS.issue("tls-" + i + (trusting ? "" : "-stranger"), "us-en", Duration.ofHours(1)))
                .reconnect(trusting);
        if (trusting) {
            config.tlsTrust(TlsTrust.trustManagers(trust));
        }
        DeviceFleet fleet = DeviceFleet.open(config.build());
        closeAfter.add(0, fleet);
        return fleet;
    }

    void publish(String eventId, long seq) {
        bus.publish(Topic.STAGES, eventId, Fixtures.update(eventId, Stage.LIVE, seq).toByteArray())
                .orTimeout(10, TimeUnit.SECONDS).join();
    }

    @Test
    void simulatedDevicesOnWssAreWelcomedAndGetUpdates() throws Exception {
        // The warm-up runs too: its loopback node speaks plain ws:// whatever the config says.
        Gateway gateway = gateway(new GatewayConfig.WarmUp(8, Duration.ofSeconds(20)));
        DeviceFleet fleet = fleet(gateway, 3, true);
        fleet.connectAll().get(30, TimeUnit.SECONDS);
        publish("ev-tls", 1);
        fleet.whenReached("ev-tls", 1, 3).get(30, TimeUnit.SECONDS);
    }

    @Test
    void theJdkWebSocketClientTrustingTheAuthorityIsWelcomed() throws Exception {
        Gateway gateway = gateway(GatewayConfig.WarmUp.OFF);
        JsonDevice device = JsonDevice.connect(URI.create("wss://localhost:" + gateway.port() + "/v1/connect"),
                TOKENS.issue("jdk", "us-en", Duration.ofHours(1)), HttpClient.newBuilder().sslContext(authority.clientContext()));
        closeAfter.add(0, device);
        device.sendText("{\"hello\":{}}");
        await().atMost(WAIT).until(() -> device.has(ServerFrame.FrameCase.WELCOME));
        publish("ev-jdk", 1);
        await().atMost(WAIT).until(() -> device.has(ServerFrame.FrameCase.STAGE_UPDATE));
    }

    @Test
    void aDeviceThatDoesNotTrustTheCertificateFailsItsHandshakeAndTheNodeServesOthers() throws Exception {
        Gateway gateway = gateway(GatewayConfig.WarmUp.OFF);
        DeviceFleet strangers = fleet(gateway, 1, false);
        assertThatThrownBy(() -> strangers.connectAll().get(30, TimeUnit.SECONDS))
                .hasCauseInstanceOf(DeviceConnectException.class)
                .hasMessageContaining("SSLHandshakeException");
        assertThat(gateway.connectedDevices()).isZero();

        DeviceFleet trusting = fleet(gateway, 1, true);
        trusting.connectAll().get(30, TimeUnit.SECONDS);
        assertThat(gateway.connectedDevices()).isEqualTo(1);
    }

    @Test
    void plainWsToTheWssPortIsAnswered400AndClosed() throws Exception {
        Gateway gateway = gateway(GatewayConfig.WarmUp.OFF);
        String received = RawHttpConnection.exchange(gateway.port(), "GET /v1/connect HTTP/1.1\r\nHost: a\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n", Duration.ofSeconds(10));
        assertThat(RawHttpConnection.status(received)).isEqualTo(400);
        assertThat(RawHttpConnection.body(received)).contains("wss://");
    }

    @Test
    void aReplacedCertificateReachesNewConnectionsWhileConnectedDevicesKeepTheirs() throws Exception {
        Gateway gateway = gateway(GatewayConfig.WarmUp.OFF);
        DeviceFleet before = fleet(gateway, 2, true);
        before.connectAll().get(30, TimeUnit.SECONDS);

        authority.issue(2).writeTo(cert, key);
        await().atMost(WAIT).until(() -> servedSerial(gateway) == 2);

        publish("ev-reload", 1);
        before.whenReached("ev-reload", 1, 2).get(30, TimeUnit.SECONDS);
        assertThat(before.welcomedCount()).as("no device had to reconnect").isEqualTo(2);

        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        Logger tlsLog = (Logger) LoggerFactory.getLogger(ServerTls.class);
        tlsLog.addAppender(logged);
        try {
            Files.writeString(key, "broken");
            await().atMost(WAIT).until(() -> logged.list.stream().anyMatch(e -> e.getLevel() == Level.WARN
                    && e.getFormattedMessage().startsWith("TLS files changed but cannot be used, keeping certificate serial 2")));
            assertThat(servedSerial(gateway)).as("a broken replacement keeps the old certificate").isEqualTo(2);
        } finally {
            tlsLog.detachAppender(logged);
        }
    }

    private long servedSerial(Gateway gateway) throws Exception {
        try (SSLSocket socket = authority.connect(gateway.port())) {
            return TestCertificates.servedSerial(socket).longValueExact();
        }
    }

    /** A device on the JDK's WebSocket client, speaking JSON, that only records what it receives. */
    static final class JsonDevice implements WebSocket.Listener, AutoCloseable {
        final List<ServerFrame> received = new CopyOnWriteArrayList<>();
        private final StringBuilder text = new StringBuilder();
        WebSocket socket;

        static JsonDevice connect(URI uri, String token, HttpClient.Builder http) {
            JsonDevice device = new JsonDevice();
            device.socket = http.build().newWebSocketBuilder().subprotocols(WireFormat.JSON.subprotocol())
                    .header("Authorization", "Bearer " + token).buildAsync(uri, device).orTimeout(20, TimeUnit.SECONDS).join();
            return device;
        }

        void sendText(String json) {
            socket.sendText(json, true).orTimeout(10, TimeUnit.SECONDS).join();
        }

        boolean has(ServerFrame.FrameCase kind) {
            return received.stream().anyMatch(f -> f.getFrameCase() == kind);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                try {
                    received.add(WireFormat.JSON.decodeServerFrame(text.toString().getBytes(StandardCharsets.UTF_8)));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public void close() {
            socket.abort();
        }
    }
}
