package io.kickoff.gateway.it;

import static io.kickoff.gateway.testing.TestGateways.update;
import static io.kickoff.gateway.testing.TestGateways.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kickoff.bus.KafkaBusConfig;
import io.kickoff.bus.KafkaEventBus;
import io.kickoff.bus.Topic;
import io.kickoff.gateway.Gateway;
import io.kickoff.gateway.GatewayConfig;
import io.kickoff.protocol.Timestamps;
import io.kickoff.protocol.token.DeviceTokens;
import io.kickoff.protocol.v1.ErrorCode;
import io.kickoff.protocol.v1.ServerFrame;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.StageUpdate;
import io.kickoff.simulator.DeviceFleet;
import io.kickoff.testkit.TestKafka;
import io.kickoff.gateway.testing.TestGateways;
import io.kickoff.gateway.testing.RawDevice;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Gateways on a real Kafka broker, with real WebSocket devices: the delivery guarantee, herd control and bad input. */
class GatewayIT {
    static final DeviceTokens TOKENS = DeviceTokens.withSecret("gateway-it-secret-gateway-it-secret!!");
    static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    static KafkaEventBus publisher;

    @RegisterExtension
    final TestGateways gateways = TestGateways.onKafka(kafka, TOKENS);

    @BeforeAll
    static void publisher() {
        publisher = new KafkaEventBus(KafkaBusConfig.of(kafka.bootstrapServers()).withClientId("it-publisher"));
    }

    @AfterAll
    static void closePublisher() {
        publisher.close();
    }

    Gateway gateway(UnaryOperator<GatewayConfig.Builder> settings) throws Exception {
        return gateways.startReady("gw-" + UUID.randomUUID().toString().substring(0, 8),
                b -> settings.apply(b.opsToken("ops-secret")));
    }

    static String token(String device) {
        return TOKENS.issue(device, "us-en", Duration.ofHours(1));
    }

    static String event() {
        return "it-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static void publish(StageUpdate... updates) {
        TestGateways.publish(publisher, updates);
    }

    static long welcomeAndSnapshot(RawDevice device, String eventId) {
        ServerFrame welcome = device.all(ServerFrame.FrameCase.WELCOME).get(0);
        return welcome.getWelcome().getSnapshotList().stream().filter(u -> u.getEventId().equals(eventId))
                .mapToLong(StageUpdate::getSeq).max().orElse(0);
    }

    static List<Long> updatesOf(RawDevice device, String eventId) {
        return device.all(ServerFrame.FrameCase.STAGE_UPDATE).stream()
                .filter(f -> f.getStageUpdate().getEventId().equals(eventId))
                .map(f -> f.getStageUpdate().getSeq()).toList();
    }

    // ---- auth and upgrade refusals ----

    @Test
    void upgradesWithoutAValidTokenGet401AndNoSocket() throws Exception {
        Gateway gateway = gateway(b -> b);
        for (String bad : new String[] {null, "garbage", TOKENS.issue("d", "us-en", Duration.ofSeconds(-5)),
                DeviceTokens.withSecret("some-other-secret-some-other-secret!!").issue("d", "us-en", Duration.ofHours(1))}) {
            assertThatThrownBy(() -> RawDevice.connect(uri(gateway), bad))
                    .satisfies(e -> assertThat(RawDevice.refusedStatus(e)).isEqualTo(401));
        }
        assertThat(gateway.connectedDevices()).isZero();
        assertThat(gateway.metrics().count("kickoff_gateway_upgrades_refused", "reason", "unauthorized")).isEqualTo(4);
    }

    @Test
    void aTokenInTheQueryIsAcceptedForClientsThatCannotSetHeaders() throws Exception {
        Gateway gateway = gateway(b -> b);
        RawDevice device = RawDevice.connect(URI.create(uri(gateway) + "?token=" + token("query")), null).hello(Map.of());
        gateways.closeAfter(() -> device.socket.abort());
        await().atMost(WAIT).until(() -> device.count(ServerFrame.FrameCase.WELCOME) == 1);
        assertThatThrownBy(() -> RawDevice.connect(URI.create(uri(gateway) + "?token=bad"), null))
                .satisfies(e -> assertThat(RawDevice.refusedStatus(e)).isEqualTo(401));
    }

    @Test
    void aMessageSentInFragmentsIsReassembled() throws Exception {
        Gateway gateway = gateway(b -> b);
        RawDevice device = gateways.device(gateway, "fragments");
        device.socket.sendText("{\"hello\":", false).join();
        device.socket.sendText("{}}", true).join();
        await().atMost(WAIT).until(() -> device.count(ServerFrame.FrameCase.WELCOME) == 1);
    }

    @Test
    void anUnknownSubprotocolGets400() throws Exception {
        Gateway gateway = gateway(b -> b);
        assertThatThrownBy(() -> RawDevice.connect(uri(gateway), token("d"), "mqtt"))
                .satisfies(e -> assertThat(RawDevice.refusedStatus(e)).isEqualTo(400));
    }

    @Test
    void aPlainHttpRequestOnTheWebSocketPathIsRefused() throws Exception {
        Gateway gateway = gateway(b -> b);
        HttpResponse<String> plain = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + gateway.port() + "/v1/connect"))
                .header("Authorization", "Bearer " + token("d")).header("Sec-WebSocket-Protocol", "kickoff.v1.json")
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(plain.statusCode()).isBetween(400, 499);
        assertThat(gateway.connectedDevices()).isZero();
    }

    // ---- delivery guarantee ----

    @Test
    void resumeConvergesAndNeverGoesBackwards() throws Exception {
        Gateway gateway = gateway(b -> b);
        String e = event();
        publish(update(e, Stage.PREFETCH, 1), update(e, Stage.LIVE, 3));
        await().atMost(WAIT).until(() -> {
            RawDevice probe = gateways.device(gateway, "probe-" + UUID.randomUUID());
            probe.hello(Map.of());
            await().atMost(WAIT).until(() -> probe.count(ServerFrame.FrameCase.WELCOME) == 1);
            return welcomeAndSnapshot(probe, e) == 3;
        });

        RawDevice behind = gateways.device(gateway, "behind").hello(Map.of(e, 1L));
        RawDevice ahead = gateways.device(gateway, "ahead").hello(Map.of(e, 5L));
        await().atMost(WAIT).until(() -> behind.count(ServerFrame.FrameCase.WELCOME) == 1
                && ahead.count(ServerFrame.FrameCase.WELCOME) == 1);
        assertThat(welcomeAndSnapshot(behind, e)).isEqualTo(3);
        assertThat(welcomeAndSnapshot(ahead, e)).isZero();

        publish(update(e, Stage.LIVE, 4), update(e, Stage.ENDED, 6));
        await().atMost(WAIT).until(() -> updatesOf(ahead, e).contains(6L) && updatesOf(behind, e).contains(6L));
        assertThat(updatesOf(ahead, e)).containsOnly(6L);
        assertThat(updatesOf(behind, e)).isSorted().doesNotContain(1L, 2L, 3L);
    }

    @Test
    void withheldAcksCauseABoundedNumberOfRedeliveries() throws Exception {
        Gateway gateway = gateway(b -> b.ackTimeout(Duration.ofMillis(200)).maxRedeliveries(2));
        String e = event();
        RawDevice silent = gateways.device(gateway, "silent").hello(Map.of());
        RawDevice polite = gateways.device(gateway, "polite").hello(Map.of());
        await().atMost(WAIT).until(() -> gateway.connectedDevices() == 2);
        publish(update(e, Stage.LIVE, 1));
        await().atMost(WAIT).until(() -> updatesOf(polite, e).size() >= 1);
        polite.ack(e, 1);
        // The first delivery plus two redeliveries, then the gateway gives up until the device reconnects.
        await().atMost(WAIT).until(() -> gateway.metrics().count("kickoff_gateway_redeliveries_exhausted") >= 1);
        assertThat(updatesOf(silent, e)).containsExactly(1L, 1L, 1L);
        assertThat(updatesOf(polite, e)).startsWith(1L).hasSizeLessThanOrEqualTo(3);
        silent.ack(e, 1);
    }

    @Test
    void duplicatesAreHarmlessToDevices() throws Exception {
        Gateway gateway = gateway(b -> b.ackTimeout(Duration.ofMillis(100)).maxRedeliveries(3));
        String e = event();
        DeviceFleet fleet = gateways.fleet(List.of(uri(gateway)), 10, "dup-", b -> b.ackUpdates(false));
        fleet.connectAll().get(60, TimeUnit.SECONDS);
        publish(update(e, Stage.LIVE, 1));
        // Without acks every device is sent the update again; each applies it once and counts the rest as duplicates.
        await().atMost(WAIT).until(() -> fleet.countDevices(d -> d.duplicates() >= 3) == 10);
        assertThat(fleet.countAt(e, Stage.LIVE, 1)).isEqualTo(10);
        assertThat(fleet.devices()).allSatisfy(d ->
                assertThat(d.appliedUpdates()).filteredOn(u -> u.eventId().equals(e)).hasSize(1));
    }

    // ---- bundles ----

    @Test
    void bundlesReachConnectedDevicesOfTheirSegmentAndDevicesThatConnectLater() throws Exception {
        Gateway gateway = gateway(b -> b.bundlePushWindow(Duration.ofMillis(500)));
        String e = event();
        publish(update(e, Stage.PREFETCH, 1));
        DeviceFleet early = gateways.fleet(List.of(uri(gateway)), 10, "bundle-early-");
        early.connectAll().get(60, TimeUnit.SECONDS);
        io.kickoff.protocol.v1.Bundle bundle = io.kickoff.protocol.v1.Bundle.newBuilder().setEventId(e).setSegment("us-en")
                .setVersion("v1").putStages("LIVE", io.kickoff.protocol.v1.Rendering.newBuilder().setRowTitle("Live now").build())
                .setExpiresAt(Timestamps.of(Instant.now().plus(Duration.ofDays(1)))).build();
        publisher.publish(Topic.BUNDLES, e + ":us-en", bundle.toByteArray()).get(30, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> early.countDevices(d -> d.bundlesReceived() >= 1) == 10);

        DeviceFleet late = gateways.fleet(List.of(uri(gateway)), 5, "bundle-late-");
        late.connectAll().get(60, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> late.countDevices(d -> d.bundlesReceived() >= 1) == 5);
        assertThat(gateway.metrics().count("kickoff_gateway_bundle_writes")).isGreaterThanOrEqualTo(15);
    }

    // ---- several nodes, node loss ----

    @Test
    void twoNodesOnOneBusBothDeliverToTheirDevices() throws Exception {
        Gateway a = gateway(b -> b);
        Gateway b2 = gateway(b -> b);
        DeviceFleet onA = gateways.fleet(List.of(uri(a)), 20, "a-");
        DeviceFleet onB = gateways.fleet(List.of(uri(b2)), 20, "b-");
        CompletableFuture.allOf(onA.connectAll(), onB.connectAll()).get(60, TimeUnit.SECONDS);
        String e = event();
        publish(update(e, Stage.LIVE, 1));
        await().atMost(WAIT).until(() -> onA.countAt(e, Stage.LIVE, 1) == 20 && onB.countAt(e, Stage.LIVE, 1) == 20);
        assertThat(a.connectedDevices()).isEqualTo(20);
        assertThat(b2.connectedDevices()).isEqualTo(20);
    }

    @Test
    void devicesOfAKilledNodeResumeOnAnotherAndConverge() throws Exception {
        Gateway a = gateway(b -> b);
        Gateway b2 = gateway(b -> b);
        String e = event();
        publish(update(e, Stage.PRE_SHOW, 1));
        DeviceFleet fleet = gateways.fleet(List.of(uri(a), uri(b2)), 20, "k-");
        fleet.connectAll().get(60, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> fleet.countAt(e, Stage.PRE_SHOW, 1) == 20);
        a.close();
        publish(update(e, Stage.LIVE, 2));
        await().atMost(WAIT).until(() -> fleet.countAt(e, Stage.LIVE, 2) == 20);
        assertThat(b2.connectedDevices()).isEqualTo(20);
    }

    // ---- herd control ----

    @Test
    void drainSendsGoAwaySpreadOverTheWindowAndRefusesNewDevices() throws Exception {
        Gateway gateway = gateway(b -> b.drainWindow(Duration.ofSeconds(2)));
        List<RawDevice> devices = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            devices.add(gateways.device(gateway, "drain-" + i).hello(Map.of()));
        }
        await().atMost(WAIT).until(() -> gateway.connectedDevices() == 5);
        HttpResponse<String> accepted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + gateway.port() + "/ops/drain"))
                .header("Authorization", "Bearer ops-secret").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).isEqualTo(202);
        for (RawDevice device : devices) {
            assertThat(device.closeCode.get(30, TimeUnit.SECONDS)).isEqualTo(1001);
            ServerFrame goAway = device.all(ServerFrame.FrameCase.GO_AWAY).get(0);
            assertThat(goAway.getGoAway().getReason()).isEqualTo("drain");
            assertThat(goAway.getGoAway().getReconnectAfterMs()).isBetween(0, 2000);
        }
        assertThatThrownBy(() -> RawDevice.connect(uri(gateway), token("late")))
                .satisfies(e -> assertThat(RawDevice.refusedStatus(e)).isEqualTo(503));
        gateway.drain().get(30, TimeUnit.SECONDS);
        assertThat(gateway.connectedDevices()).isZero();
    }

    @Test
    void aboveTheConnectionCapUpgradesGet503WithAJitteredRetryAfter() throws Exception {
        Gateway gateway = gateway(b -> b.maxConnections(3).retryAfter(Duration.ofSeconds(2), Duration.ofSeconds(7)));
        for (int i = 0; i < 3; i++) {
            gateways.device(gateway, "cap-" + i).hello(Map.of());
        }
        await().atMost(WAIT).until(() -> gateway.connectedDevices() == 3);
        assertThatThrownBy(() -> RawDevice.connect(uri(gateway), token("cap-over"))).satisfies(e -> {
            HttpResponse<?> refusal = RawDevice.refusal(e);
            assertThat(refusal.statusCode()).isEqualTo(503);
            assertThat(Integer.parseInt(refusal.headers().firstValue("Retry-After").orElseThrow())).isBetween(2, 7);
        });
        assertThat(gateway.metrics().count("kickoff_gateway_upgrades_refused", "reason", "over_capacity")).isEqualTo(1);
    }

    // ---- bad input ----

    @Test
    void aFrameOverTheSizeCapCloses1009() throws Exception {
        Gateway gateway = gateway(b -> b.maxFrameBytes(1024));
        RawDevice device = gateways.device(gateway, "big").hello(Map.of());
        await().atMost(WAIT).until(() -> device.count(ServerFrame.FrameCase.WELCOME) == 1);
        device.sendText("{\"ping\":{\"nonce\":\"" + "9".repeat(2000) + "\"}}");
        assertThat(device.closeCode.get(30, TimeUnit.SECONDS)).isEqualTo(1009);
        assertThat(device.all(ServerFrame.FrameCase.ERROR)).extracting(f -> f.getError().getCode())
                .containsExactly(ErrorCode.FRAME_TOO_LARGE);
    }

    @Test
    void tooManyFramesPerSecondClose1008() throws Exception {
        Gateway gateway = gateway(b -> b.inboundRate(1, 3));
        RawDevice device = gateways.device(gateway, "chatty").hello(Map.of());
        // A burst of 3: hello and two pings pass, the third ping is over. Sending more after it would
        // race the close (the client could see a reset before the close frame).
        for (int i = 0; i < 3; i++) {
            device.sendText("{\"ping\":{\"nonce\":\"" + i + "\"}}");
        }
        assertThat(device.closeCode.get(30, TimeUnit.SECONDS)).isEqualTo(1008);
        assertThat(device.all(ServerFrame.FrameCase.ERROR)).extracting(f -> f.getError().getCode()).contains(ErrorCode.RATE_LIMITED);
    }

    @Test
    void malformedFramesGetAnErrorFrameThenTheirCloseCode() throws Exception {
        Gateway gateway = gateway(b -> b);
        RawDevice broken = gateways.device(gateway, "broken").hello(Map.of()).sendText("{\"ack\": nope");
        assertThat(broken.closeCode.get(30, TimeUnit.SECONDS)).isEqualTo(1007);
        assertThat(broken.all(ServerFrame.FrameCase.ERROR).get(0).getError().getCode()).isEqualTo(ErrorCode.MALFORMED_FRAME);

        RawDevice unknown = gateways.device(gateway, "unknown").hello(Map.of()).sendText("{}");
        assertThat(unknown.closeCode.get(30, TimeUnit.SECONDS)).isEqualTo(1007);
        assertThat(unknown.all(ServerFrame.FrameCase.ERROR).get(0).getError().getCode()).isEqualTo(ErrorCode.UNKNOWN_FRAME);

        RawDevice binary = gateways.device(gateway, "binary").hello(Map.of()).sendBinary(new byte[] {1, 2, 3});
        assertThat(binary.closeCode.get(30, TimeUnit.SECONDS)).isEqualTo(1003);
    }

    @Test
    void aDeviceThatNeverSaysHelloIsClosed1008() throws Exception {
        Gateway gateway = gateway(b -> b.helloTimeout(Duration.ofMillis(300)));
        RawDevice mute = gateways.device(gateway, "mute");
        assertThat(mute.closeCode.get(30, TimeUnit.SECONDS)).isEqualTo(1008);
        assertThat(mute.all(ServerFrame.FrameCase.ERROR).get(0).getError().getMessage()).contains("hello");
    }
}
