package io.kickoff.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import io.kickoff.protocol.Timestamps;
import io.kickoff.protocol.WireFormat;
import io.kickoff.protocol.token.DeviceTokens;
import io.kickoff.protocol.v1.ClientFrame;
import io.kickoff.protocol.v1.GoAway;
import io.kickoff.protocol.v1.ServerFrame;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.StageUpdate;
import io.kickoff.protocol.v1.Welcome;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeviceFleetTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String EVENT = "fight-night";

    private TestGateway gateway;

    @BeforeEach
    void startGateway() throws InterruptedException {
        gateway = new TestGateway();
    }

    @AfterEach
    void stopGateway() {
        gateway.close();
    }

    private DeviceFleet fleetOf(int devices, Consumer<FleetConfig.Builder> customise) {
        FleetConfig.Builder builder = FleetConfig.builder()
                .gateway(gateway.uri())
                .devices(devices)
                .signedDevices("device-", "segment-a", gateway.tokens(), Duration.ofHours(1))
                .reconnectBackoff(Duration.ofMillis(10), Duration.ofMillis(100));
        customise.accept(builder);
        return DeviceFleet.open(builder.build());
    }

    private DeviceFleet connectedFleetOf(int devices, Consumer<FleetConfig.Builder> customise) throws Exception {
        DeviceFleet fleet = fleetOf(devices, customise);
        fleet.connectAll().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        return fleet;
    }

    private static StageUpdate update(Stage stage, long seq) {
        return StageUpdate.newBuilder()
                .setEventId(EVENT)
                .setStage(stage)
                .setSeq(seq)
                .setIssuedAt(Timestamps.of(Instant.now()))
                .build();
    }

    private static ServerFrame push(StageUpdate update) {
        return ServerFrame.newBuilder().setStageUpdate(update).build();
    }

    /** Acks the gateway received for one seq, per device id. */
    private Map<String, Long> acksPerDevice(long seq) {
        return gateway.received(ClientFrame.FrameCase.ACK).stream()
                .filter(r -> r.frame().getAck().getEventId().equals(EVENT) && r.frame().getAck().getSeq() == seq)
                .collect(Collectors.groupingBy(TestGateway.Received::deviceId, Collectors.counting()));
    }

    private List<TestGateway.Received> hellosFrom(String deviceId) {
        return gateway.received(ClientFrame.FrameCase.HELLO).stream()
                .filter(r -> r.deviceId().equals(deviceId))
                .toList();
    }

    @Test
    void everyDeviceConnectsAndIsWelcomed() throws Exception {
        try (DeviceFleet fleet = connectedFleetOf(50, b -> b.maxConcurrentConnects(8).connectsPerSecond(2_000))) {
            assertThat(fleet.connectedCount()).isEqualTo(50);
            assertThat(fleet.welcomedCount()).isEqualTo(50);
            assertThat(fleet.devices()).allSatisfy(device -> {
                assertThat(device.welcomes()).isEqualTo(1);
                assertThat(device.lastConnectFailure()).isEmpty();
            });
            List<TestGateway.Received> hellos = gateway.received(ClientFrame.FrameCase.HELLO);
            assertThat(hellos).hasSize(50);
            assertThat(hellos).extracting(TestGateway.Received::deviceId).doesNotHaveDuplicates();
            assertThat(hellos).allSatisfy(hello -> {
                assertThat(hello.format()).isEqualTo(WireFormat.PROTOBUF);
                assertThat(hello.frame().getHello().getPositionsMap()).isEmpty();
            });
        }
    }

    @Test
    void pushedUpdateIsAppliedByEveryDeviceAndAcked() throws Exception {
        try (DeviceFleet fleet = connectedFleetOf(50, b -> { })) {
            gateway.push(push(update(Stage.LIVE, 1)));

            await().atMost(WAIT).untilAsserted(() -> assertThat(fleet.countAt(EVENT, Stage.LIVE, 1)).isEqualTo(50));
            await().atMost(WAIT).untilAsserted(() -> assertThat(acksPerDevice(1)).hasSize(50));

            assertThat(fleet.devices()).allSatisfy(device -> {
                AppliedUpdate applied = device.applied(EVENT, 1).orElseThrow();
                assertThat(applied.fromSnapshot()).isFalse();
                assertThat(applied.hasIssuedAt()).isTrue();
                assertThat(device.duplicates()).isZero();
            });
            SimulatorReport report = fleet.report(EVENT, 1);
            assertThat(report.devices()).isEqualTo(50);
            assertThat(report.connected()).isEqualTo(50);
            assertThat(report.applied()).isEqualTo(50);
            assertThat(report.reached()).isEqualTo(50);
            assertThat(report.p50Millis()).isNotNaN().isLessThanOrEqualTo(report.p99Millis());
            assertThat(report.p99Millis()).isLessThanOrEqualTo(report.maxMillis());
            assertThat(report.toString()).contains(EVENT, "50/50 devices connected", "50 applied", "p99=");
        }
    }

    @Test
    void devicesThatWithholdAcksApplyUpdatesButNeverAckThem() throws Exception {
        DeviceFleet fleet = connectedFleetOf(10, b -> b.ackUpdates(false));
        try {
            assertThat(fleet.config().ackUpdates()).isFalse();
            gateway.push(push(update(Stage.LIVE, 1)));
            await().atMost(WAIT).untilAsserted(() -> assertThat(fleet.countAt(EVENT, Stage.LIVE, 1)).isEqualTo(10));
            // What a redelivery looks like to a device: the same update again, a duplicate.
            gateway.push(push(update(Stage.LIVE, 1)));
            await().atMost(WAIT).untilAsserted(() -> assertThat(fleet.report(EVENT, 1).duplicates()).isEqualTo(10));
        } finally {
            fleet.close();
        }
        // Everything a device wrote reached the gateway before its connection closed: once every session is
        // gone, an ack that had been sent would have been recorded.
        await().atMost(WAIT).until(() -> gateway.sessionCount() == 0);
        assertThat(gateway.received(ClientFrame.FrameCase.HELLO)).hasSize(10);
        assertThat(gateway.received(ClientFrame.FrameCase.ACK)).isEmpty();
    }

    @Test
    void acksAreOnByDefault() {
        FleetConfig config = FleetConfig.builder().gateway(gateway.uri()).tokens(i -> "t").build();
        assertThat(config.ackUpdates()).isTrue();
    }

    @Test
    void reportGivesTheTimeUntilEveryDeviceReachedAnUpdate() throws Exception {
        try (DeviceFleet fleet = connectedFleetOf(10, b -> { })) {
            gateway.push(push(update(Stage.PREFETCH, 1)));
            await().atMost(WAIT).untilAsserted(() -> assertThat(fleet.countAt(EVENT, Stage.PREFETCH, 1)).isEqualTo(10));
            SimulatorReport everyone = fleet.report(EVENT, 1);
            assertThat(everyone.allReached()).isTrue();
            assertThat(everyone.timeToAllMillis()).isNotNaN().isEqualTo(everyone.maxMillis());
            assertThat(everyone.toString()).contains("100% in");

            // Half the devices miss seq 2 and reach it only through seq 3: they count for seq 2 once they have 3.
            gateway.pushTo(id -> Integer.parseInt(id.substring("device-".length())) % 2 == 0,
                    push(update(Stage.PRE_SHOW, 2)));
            await().atMost(WAIT).untilAsserted(() -> assertThat(fleet.report(EVENT, 2).applied()).isEqualTo(5));
            assertThat(fleet.report(EVENT, 2).timeToAllMillis()).isNaN();
            // The running count agrees with a scan of every device.
            assertThat(fleet.reached(EVENT, 1)).isEqualTo(10);
            assertThat(fleet.reached(EVENT, 2)).isEqualTo(5);
            gateway.push(push(update(Stage.LIVE, 3)));
            await().atMost(WAIT).untilAsserted(() -> assertThat(fleet.countAt(EVENT, Stage.LIVE, 3)).isEqualTo(10));
            SimulatorReport skipped = fleet.report(EVENT, 2);
            assertThat(skipped.applied()).isEqualTo(5);
            assertThat(skipped.reached()).isEqualTo(10);
            assertThat(fleet.reached(EVENT, 2)).isEqualTo(10);
            assertThat(fleet.reached(EVENT, 3)).isEqualTo(10);
            assertThat(skipped.timeToAllMillis()).isNotNaN().isGreaterThanOrEqualTo(skipped.maxMillis());
            assertThat(fleet.devices()).allSatisfy(device -> assertThat(device.firstAppliedAtOrAfter(EVENT, 2))
                    .hasValueSatisfying(first -> assertThat(first.seq()).isIn(2L, 3L)));

            assertThat(fleet.reached(EVENT, 4)).isZero();
            assertThat(fleet.reached("no-such-event", 1)).isZero();
            SimulatorReport nobody = fleet.report(EVENT, 4);
            assertThat(nobody.reached()).isZero();
            assertThat(nobody.allReached()).isFalse();
            assertThat(nobody.timeToAllMillis()).isNaN();
            assertThat(nobody.toString()).contains("100% not reached");
        }
    }

    @Test
    void whenReachedCompletesOnceEnoughDevicesHaveTheSeqOrALaterOne() throws Exception {
        try (DeviceFleet fleet = connectedFleetOf(10, b -> { })) {
            var firstOfSeq1 = fleet.whenReached(EVENT, 1, 1);
            var everyoneAtSeq2 = fleet.whenReached(EVENT, 2, 10);
            assertThat(firstOfSeq1).isNotDone();

            gateway.push(push(update(Stage.PREFETCH, 1)));
            firstOfSeq1.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            // Half get seq 2; the rest reach it only through seq 3.
            gateway.pushTo(id -> Integer.parseInt(id.substring("device-".length())) % 2 == 0,
                    push(update(Stage.PRE_SHOW, 2)));
            await().atMost(WAIT).until(() -> fleet.report(EVENT, 2).applied() == 5);
            assertThat(everyoneAtSeq2).isNotDone();
            gateway.push(push(update(Stage.LIVE, 3)));
            everyoneAtSeq2.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(fleet.countDevices(view -> view.appliedSeq(EVENT) >= 2)).isEqualTo(10);

            // Already there: completes at once.
            fleet.whenReached(EVENT, 3, 10).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            var never = fleet.whenReached(EVENT, 4, 1);
            fleet.close();
            assertThat(never).isCompletedExceptionally();
        }
    }

    @Test
    void whenHoldingBundleCompletesWhenTheLastDeviceGetsABundleOfTheEventAndFailsIfTheFleetClosesFirst() throws Exception {
        try (DeviceFleet fleet = connectedFleetOf(3, b -> { })) {
            var everyone = fleet.whenHoldingBundle(EVENT, 3);
            gateway.pushTo(id -> !id.equals("device-2"), bundle("v1"));
            // A second version, and another event's bundle, do not count a device twice.
            gateway.pushTo(id -> id.equals("device-0"), bundle("v2"));
            gateway.pushTo(id -> id.equals("device-2"), ServerFrame.newBuilder().setBundle(io.kickoff.protocol.v1.Bundle
                    .newBuilder().setEventId("another-event").setSegment("segment-a").setVersion("v1")).build());
            await().atMost(WAIT).until(() -> fleet.device(0).bundlesReceived() == 2 && fleet.device(2).bundlesReceived() == 1
                    && fleet.device(1).bundlesReceived() == 1);
            assertThat(fleet.holdingBundle(EVENT)).isEqualTo(2);
            assertThat(everyone).isNotDone();

            gateway.pushTo(id -> id.equals("device-2"), bundle("v1"));
            assertThat(everyone).succeedsWithin(WAIT);
            assertThat(fleet.holdingBundle(EVENT)).isEqualTo(3);
            assertThat(fleet.whenHoldingBundle(EVENT, 3)).isCompleted(); // already there

            // A device whose storage was cleared no longer holds it.
            fleet.forgetBundles(1).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(fleet.holdingBundle(EVENT)).isEqualTo(2);
            var never = fleet.whenHoldingBundle(EVENT, 3);
            fleet.close();
            assertThat(never).isCompletedExceptionally();
            assertThat(fleet.whenHoldingBundle(EVENT, 1)).isCompletedExceptionally();
        }
    }

    @Test
    void whenAllWelcomedOutlivesFailedAttemptsAndFailsOnlyWhenTheFleetCloses() throws Exception {
        try (DeviceFleet fleet = connectedFleetOf(5, b -> { })) {
            assertThat(fleet.whenAllWelcomed()).isCompleted();
        }
        URI nowhere;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nowhere = URI.create("ws://127.0.0.1:" + socket.getLocalPort());
        }
        FleetConfig config = FleetConfig.builder().gateway(nowhere).devices(2).tokens(i -> "t")
                .reconnectBackoff(Duration.ofMillis(10), Duration.ofMillis(100)).build();
        DeviceFleet fleet = DeviceFleet.open(config);
        try {
            assertThat(fleet.connectAll()).failsWithin(WAIT);
            assertThat(fleet.whenAllWelcomed()).isNotDone();
        } finally {
            fleet.close();
        }
        assertThat(fleet.whenAllWelcomed()).isCompletedExceptionally();
    }

    @Test
    void duplicateAndOlderUpdatesAreAckedButNotApplied() throws Exception {
        try (DeviceFleet fleet = connectedFleetOf(10, b -> { })) {
            gateway.push(push(update(Stage.LIVE, 2)));
            await().atMost(WAIT).untilAsserted(() -> assertThat(fleet.countAt(EVENT, Stage.LIVE, 2)).isEqualTo(10));

            gateway.push(push(update(Stage.LIVE, 2)));
            gateway.push(push(update(Stage.PRE_SHOW, 1)));

            await().atMost(WAIT).untilAsserted(() ->
                    assertThat(fleet.devices()).allSatisfy(device -> assertThat(device.duplicates()).isEqualTo(2)));
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(acksPerDevice(2)).hasSize(10).allSatisfy((device, acks) -> assertThat(acks).isEqualTo(2));
                assertThat(acksPerDevice(1)).hasSize(10).allSatisfy((device, acks) -> assertThat(acks).isEqualTo(1));
            });
            assertThat(fleet.countAt(EVENT, Stage.LIVE, 2)).isEqualTo(10);
            assertThat(fleet.devices()).allSatisfy(device -> {
                assertThat(device.appliedUpdates()).extracting(AppliedUpdate::seq).containsExactly(2L);
                assertThat(device.applied(EVENT, 1)).isEmpty();
            });
            assertThat(fleet.report(EVENT, 1).applied()).isZero();
            assertThat(fleet.report(EVENT, 1).reached()).isEqualTo(10);
            // Duplicates and older updates move nobody's count.
            assertThat(fleet.reached(EVENT, 2)).isEqualTo(10);
            assertThat(fleet.reached(EVENT, 3)).isZero();
        }
    }

    @Test
    void welcomeSnapshotIsAppliedBeforeConnectAllCompletes() throws Exception {
        gateway.welcomeWith(hello -> Welcome.newBuilder()
                .addSnapshot(update(Stage.PREFETCH, 3))
                .addSnapshot(update(Stage.SCHEDULED, 1).toBuilder().setEventId("premiere"))
                .build());
        try (DeviceFleet fleet = connectedFleetOf(20, b -> { })) {
            assertThat(fleet.countAt(EVENT, Stage.PREFETCH, 3)).isEqualTo(20);
            assertThat(fleet.countAt("premiere", Stage.SCHEDULED, 1)).isEqualTo(20);
            assertThat(fleet.devices()).allSatisfy(device ->
                    assertThat(device.applied(EVENT, 3)).hasValueSatisfying(u -> assertThat(u.fromSnapshot()).isTrue()));
            await().atMost(WAIT).untilAsserted(() -> assertThat(acksPerDevice(3)).hasSize(20));
        }
    }

    @Test
    void jsonSubprotocolWithTokenInTheQueryWorksToo() throws Exception {
        try (DeviceFleet fleet = connectedFleetOf(10,
                b -> b.wireFormat(WireFormat.JSON).tokenTransport(TokenTransport.QUERY_PARAMETER))) {
            assertThat(gateway.received(ClientFrame.FrameCase.HELLO))
                    .hasSize(10)
                    .allSatisfy(hello -> assertThat(hello.format()).isEqualTo(WireFormat.JSON));

            gateway.push(push(update(Stage.LIVE, 7)));

            await().atMost(WAIT).untilAsserted(() -> assertThat(fleet.countAt(EVENT, Stage.LIVE, 7)).isEqualTo(10));
            await().atMost(WAIT).untilAsserted(() -> assertThat(acksPerDevice(7)).hasSize(10));
        }
    }

    @Test
    void goAwayMakesDevicesReconnectAndResumeFromTheirPositions() throws Exception {
        try (DeviceFleet fleet = connectedFleetOf(20, b -> { })) {
            gateway.push(push(update(Stage.LIVE, 4)));
            await().atMost(WAIT).untilAsserted(() -> assertThat(fleet.countAt(EVENT, Stage.LIVE, 4)).isEqualTo(20));

            gateway.push(ServerFrame.newBuilder()
                    .setGoAway(GoAway.newBuilder().setReconnectAfterMs(20).setReason("drain"))
                    .build());

            await().atMost(WAIT).untilAsserted(() -> assertThat(fleet.devices())
                    .allSatisfy(device -> assertThat(device.welcomes()).isEqualTo(2)));
            assertThat(fleet.connectedCount()).isEqualTo(20);
            for (DeviceView device : fleet.devices()) {
                List<TestGateway.Received> hellos = hellosFrom(device.deviceId());
                assertThat(hellos).hasSize(2);
                assertThat(hellos.get(1).frame().getHello().getPositionsMap()).containsExactly(Map.entry(EVENT, 4L));
            }
        }
    }

    @Test
    void devicesSentAwayReconnectToTheOtherGatewaysSpreadOverThem() throws Exception {
        try (TestGateway second = new TestGateway(); TestGateway third = new TestGateway();
                DeviceFleet fleet = connectedFleetOf(60, b -> b.gateway(second.uri()).gateway(third.uri()))) {
            // Device i starts on gateway i % 3.
            await().atMost(WAIT).untilAsserted(() -> assertThat(List.of(gateway.sessionCount(), second.sessionCount(),
                    third.sessionCount())).containsExactly(20, 20, 20));

            gateway.push(ServerFrame.newBuilder()
                    .setGoAway(GoAway.newBuilder().setReconnectAfterMs(0).setReason("drain"))
                    .build());

            await().atMost(WAIT).untilAsserted(() -> assertThat(fleet.countDevices(d -> d.welcomes() == 2)).isEqualTo(20));
            await().atMost(WAIT).untilAsserted(() -> assertThat(second.sessionCount() + third.sessionCount()).isEqualTo(60));
            assertThat(gateway.sessionCount()).as("never back to the node that sent them away").isZero();
            // Spread over both others, not piled onto the next one in the list.
            assertThat(second.sessionCount()).isGreaterThan(20);
            assertThat(third.sessionCount()).isGreaterThan(20);
        }
    }

    @Test
    void droppedConnectionsReconnectWithTheirPositions() throws Exception {
        try (DeviceFleet fleet = connectedFleetOf(20, b -> { })) {
            gateway.push(push(update(Stage.PRE_SHOW, 5)));
            await().atMost(WAIT).untilAsserted(() -> assertThat(fleet.countAt(EVENT, Stage.PRE_SHOW, 5)).isEqualTo(20));

            gateway.dropAllSessions();

            await().atMost(WAIT).untilAsserted(() -> assertThat(fleet.devices())
                    .allSatisfy(device -> assertThat(device.welcomes()).isEqualTo(2)));
            assertThat(fleet.devices()).allSatisfy(device -> assertThat(hellosFrom(device.deviceId()))
                    .last()
                    .satisfies(hello -> assertThat(hello.frame().getHello().getPositionsMap())
                            .containsExactly(Map.entry(EVENT, 5L))));
        }
    }

    @Test
    void connectAllFailsWithTheHttpStatusWhenTokensAreRefused() {
        DeviceTokens foreign = DeviceTokens.withSecret("a-secret-the-gateway-does-not-know-at-all");
        try (DeviceFleet fleet = fleetOf(5, b -> b.tokens(i -> foreign.issue("device-" + i, "s", Duration.ofHours(1))))) {
            assertThat(fleet.connectAll())
                    .failsWithin(WAIT)
                    .withThrowableOfType(ExecutionException.class)
                    .havingCause()
                    .isInstanceOfSatisfying(DeviceConnectException.class, e -> {
                        assertThat(e.httpStatus()).hasValue(401);
                        assertThat(e.getMessage()).contains("HTTP 401", "/v1/connect", "device-");
                    });
            // Refusals are not retried: every device ends up disconnected with the reason recorded.
            await().atMost(WAIT).untilAsserted(() -> assertThat(fleet.devices()).allSatisfy(device ->
                    assertThat(device.lastConnectFailure()).hasValueSatisfying(f -> assertThat(f).contains("401"))));
            assertThat(fleet.connectedCount()).isZero();
        }
    }

    @Test
    void connectAllFailsWhenNoTokenIsSent() {
        try (DeviceFleet fleet = fleetOf(3, b -> b.tokens(i -> null))) {
            assertThat(fleet.connectAll())
                    .failsWithin(WAIT)
                    .withThrowableOfType(ExecutionException.class)
                    .havingCause()
                    .isInstanceOfSatisfying(DeviceConnectException.class,
                            e -> assertThat(e.httpStatus()).hasValue(401));
        }
    }

    @Test
    void connectAllFailsWhenNothingListens() throws IOException {
        URI nowhere;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nowhere = URI.create("ws://127.0.0.1:" + socket.getLocalPort());
        }
        FleetConfig config = FleetConfig.builder().gateway(nowhere).devices(2).tokens(i -> "t").reconnect(false).build();
        try (DeviceFleet fleet = DeviceFleet.open(config)) {
            assertThat(fleet.connectAll())
                    .failsWithin(WAIT)
                    .withThrowableOfType(ExecutionException.class)
                    .havingCause()
                    .isInstanceOfSatisfying(DeviceConnectException.class, e -> {
                        assertThat(e.httpStatus()).isEmpty();
                        assertThat(e.getMessage()).contains("could not connect to " + nowhere + "/v1/connect");
                    });
        }
    }

    @Test
    void devicesPingAtTheWelcomeHeartbeatInterval() throws Exception {
        gateway.welcomeWith(hello -> Welcome.newBuilder().setHeartbeatIntervalMs(50).build());
        try (DeviceFleet fleet = connectedFleetOf(5, b -> { })) {
            await().atMost(WAIT).untilAsserted(() -> assertThat(gateway.received(ClientFrame.FrameCase.PING))
                    .extracting(TestGateway.Received::deviceId)
                    .containsAll(fleet.devices().stream().map(DeviceView::deviceId).toList()));
        }
    }

    @Test
    void devicesBindTheirSourceAddressesInRoundRobin() throws Exception {
        InetAddress second = InetAddress.getByName("127.0.0.2");
        assumeThat(canBind(second)).as("127.0.0.2 is a usable loopback address here").isTrue();
        List<InetAddress> sources = List.of(InetAddress.getByName("127.0.0.1"), second);
        try (DeviceFleet fleet = connectedFleetOf(6, b -> b.localAddresses(sources))) {
            assertThat(gateway.received(ClientFrame.FrameCase.HELLO)).allSatisfy(hello -> {
                int index = Integer.parseInt(hello.deviceId().substring("device-".length()));
                assertThat(hello.remote().getAddress()).isEqualTo(sources.get(index % 2));
            });
            assertThat(fleet.connectedCount()).isEqualTo(6);
        }
    }

    private static boolean canBind(InetAddress address) {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(address, 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A bundle API stand-in: serves one bundle per call of {@code version}, records each request's priority. */
    private static final class BundleApi implements AutoCloseable {
        final com.sun.net.httpserver.HttpServer server;
        final List<String> priorities = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile String version = "v1";

        BundleApi() throws IOException {
            server = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/v1/bundles", exchange -> {
                priorities.add(String.valueOf(exchange.getRequestHeaders().getFirst("X-Priority")));
                java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
                io.kickoff.protocol.v1.Bundle.newBuilder().setEventId(EVENT).setSegment("segment-a").setVersion(version)
                        .build().writeDelimitedTo(body);
                exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, body.size());
                exchange.getResponseBody().write(body.toByteArray());
                exchange.close();
            });
            server.start();
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    private static ServerFrame bundle(String version) {
        return ServerFrame.newBuilder().setBundle(io.kickoff.protocol.v1.Bundle.newBuilder().setEventId(EVENT)
                .setSegment("segment-a").setVersion(version)).build();
    }

    @Test
    void aDeviceLackingTheBundleAnUpdateNamesFetchesItAsCritical() throws Exception {
        try (BundleApi api = new BundleApi();
             DeviceFleet fleet = connectedFleetOf(2, b -> b.bundleApi(api.uri()))) {
            gateway.pushTo(id -> id.equals("device-0"), bundle("v1"));
            await().atMost(WAIT).until(() -> fleet.device(0).bundlesReceived() == 1);

            gateway.push(push(update(Stage.LIVE, 1).toBuilder().setBundleVersion("v1").build()));
            await().atMost(WAIT).until(() -> fleet.device(1).bundlesFetched() == 1);
            // device-0 held v1: it renders at once, no request.
            assertThat(fleet.device(0).criticalBundleFetches()).isZero();
            assertThat(fleet.device(1).criticalBundleFetches()).isEqualTo(1);
            assertThat(fleet.device(1).bundlesMissing()).isEqualTo(1);
            assertThat(api.priorities).containsExactly("critical");

            // A newer version named: both hold a stale one and fetch it.
            api.version = "v2";
            gateway.push(push(update(Stage.ENDED, 2).toBuilder().setBundleVersion("v2").build()));
            await().atMost(WAIT).until(() -> fleet.device(0).bundlesFetched() == 1 && fleet.device(1).bundlesFetched() == 2);
            assertThat(api.priorities).containsExactly("critical", "critical", "critical");
            assertThat(fleet.criticalBundleFetches()).isEqualTo(3);

            // Held now: reported in the next hello, and an update naming it fetches nothing.
            gateway.push(push(update(Stage.ENDED, 3).toBuilder().setBundleVersion("v2").build()));
            await().atMost(WAIT).until(() -> fleet.countAt(EVENT, Stage.ENDED, 3) == 2);
            assertThat(fleet.criticalBundleFetches()).isEqualTo(3);
        }
    }

    @Test
    void anEmptyBundleVersionMeansNoBundleAndFetchesNothing() throws Exception {
        try (BundleApi api = new BundleApi();
             DeviceFleet fleet = connectedFleetOf(2, b -> b.bundleApi(api.uri()))) {
            gateway.push(push(update(Stage.LIVE, 1)));
            await().atMost(WAIT).until(() -> fleet.countAt(EVENT, Stage.LIVE, 1) == 2);
            assertThat(fleet.criticalBundleFetches()).isZero();
            assertThat(api.priorities).isEmpty();
        }
    }
}
