package io.kickoff.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kickoff.bus.InProcessEventBus;
import io.kickoff.bus.Topic;
import io.kickoff.gateway.Gateway;
import io.kickoff.gateway.GatewayConfig;
import io.kickoff.protocol.Timestamps;
import io.kickoff.protocol.token.DeviceTokens;
import io.kickoff.protocol.v1.Bundle;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.StageUpdate;
import io.kickoff.simulator.AppliedUpdate;
import io.kickoff.simulator.DeviceFleet;
import io.kickoff.simulator.DeviceOutcomes;
import io.kickoff.simulator.DeviceView;
import io.kickoff.simulator.FleetConfig;
import io.kickoff.simulator.Misbehaviour;
import io.kickoff.simulator.MisbehaviourPlan;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Devices that misbehave on purpose against a real gateway in this JVM (in-process bus): each kind
 * gets the answer protocol.md documents for it, counted by the fleet per kind, and the well-behaved
 * devices of the same fleet stay connected and apply every update.
 */
class MisbehavingDevicesTest {
    static final String SECRET = "misbehaving-devices-test-secret-0123456789";
    static final Duration WAIT = Duration.ofSeconds(60);
    static final String EVENT = "final";
    static final String SEGMENT = "us-en";
    static final int WELL_BEHAVED = 6;

    final DeviceTokens tokens = DeviceTokens.withSecret(SECRET);
    InProcessEventBus bus;
    Gateway gateway;

    @BeforeEach
    void startGateway() throws Exception {
        bus = new InProcessEventBus();
        gateway = Gateway.start(GatewayConfig.builder().host("127.0.0.1").port(0).nodeId("gw-misbehaving")
                .warmUp(GatewayConfig.WarmUp.OFF)
                .helloTimeout(Duration.ofMillis(500))
                .slowConsumerTimeout(Duration.ofSeconds(3))
                .maxConnectsPerSecond(40)
                .retryAfter(Duration.ofSeconds(1), Duration.ofSeconds(1))
                .build(), tokens, bus, Clock.systemUTC());
        await().atMost(WAIT).until(gateway::isReady);
    }

    @AfterEach
    void stop() {
        gateway.close();
        bus.close();
    }

    /** Well-behaved devices 0..5, then one device of each named kind. */
    DeviceFleet fleet(String misbehaviours, int misbehaving, Consumer<FleetConfig.Builder> more) {
        int devices = WELL_BEHAVED + misbehaving;
        FleetConfig.Builder builder = FleetConfig.builder().gateway("ws://127.0.0.1:" + gateway.port())
                .devices(devices)
                .tokens(i -> tokens.issue("device-" + i, SEGMENT, Duration.ofHours(1)))
                .misbehaviours(MisbehaviourPlan.parse(misbehaviours));
        more.accept(builder);
        return DeviceFleet.open(builder.build());
    }

    void publishStage(Stage stage, long seq) {
        bus.publish(Topic.STAGES, EVENT, StageUpdate.newBuilder().setEventId(EVENT).setStage(stage).setSeq(seq)
                .setIssuedAt(Timestamps.of(Instant.now())).build().toByteArray()).join();
    }

    double closes(String reason) {
        return gateway.metrics().count("kickoff_gateway_closes", "reason", reason);
    }

    /** The well-behaved devices were welcomed once, never closed nor refused, and applied {@code seq}. */
    static void assertUnaffected(DeviceFleet fleet, long seq) {
        await().atMost(WAIT).until(() -> fleet.countDevices(d -> d.misbehaviour().isEmpty() && d.appliedSeq(EVENT) >= seq)
                == WELL_BEHAVED);
        DeviceOutcomes wellBehaved = fleet.outcomes().get("well-behaved");
        assertThat(wellBehaved.devices()).isEqualTo(WELL_BEHAVED);
        assertThat(wellBehaved.closeCodes()).isEmpty();
        assertThat(wellBehaved.httpStatuses()).isEmpty();
        assertThat(wellBehaved.welcomes()).isEqualTo(WELL_BEHAVED);
        assertThat(fleet.devices()).filteredOn(d -> d.misbehaviour().isEmpty())
                .allSatisfy(d -> assertThat(d.connected()).isTrue());
    }

    @Test
    void silentDevicesAreClosed1008AfterTheHelloTimeoutAndNotWaitedFor() throws Exception {
        try (DeviceFleet fleet = fleet("silent=0.25", 2, b -> { })) {
            // connectAll does not wait for devices that never say hello.
            fleet.connectAll().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(fleet.devices()).filteredOn(d -> d.misbehaviour().isPresent())
                    .hasSize(2).allSatisfy(d -> assertThat(d.misbehaviour()).contains(Misbehaviour.SILENT));
            await().atMost(WAIT).until(() -> fleet.outcomes().get("silent").closes(1008) >= 2);
            assertThat(closes("no_hello")).isGreaterThanOrEqualTo(2);
            assertThat(fleet.outcomes().get("silent").welcomes()).isZero();

            publishStage(Stage.LIVE, 1);
            assertUnaffected(fleet, 1);
        }
    }

    @Test
    void garbageFramesAreClosed1007() throws Exception {
        try (DeviceFleet fleet = fleet("garbage=0.25", 2, b -> { })) {
            fleet.connectAll();
            fleet.whenAllWelcomed().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            await().atMost(WAIT).until(() -> fleet.outcomes().get("garbage").closes(1007) >= 2);
            assertThat(closes("bad_frame")).isGreaterThanOrEqualTo(2);
            assertThat(fleet.outcomes().get("garbage").closeCodes()).containsOnlyKeys(1007);

            publishStage(Stage.LIVE, 1);
            assertUnaffected(fleet, 1);
        }
    }

    /** A bundle of about 700 KB for event {@code big-<slot>}, version {@code v<version>}. */
    void publishBigBundle(int slot, int version) {
        Bundle bundle = Bundle.newBuilder().setEventId("big-" + slot).setSegment(SEGMENT).setVersion("v" + version)
                .putStages("LIVE", io.kickoff.protocol.v1.Rendering.newBuilder().setRowTitle(FILLER).build())
                .build();
        bus.publish(Topic.BUNDLES, bundle.getEventId() + ":" + SEGMENT, bundle.toByteArray()).join();
    }

    static final String FILLER = "x".repeat(700_000);

    @Test
    void slowReadersAreClosedAsSlowConsumers() throws Exception {
        // Bundles the gateway sends right after each welcome.
        for (int i = 0; i < 10; i++) {
            publishBigBundle(i, 1);
        }
        try (DeviceFleet fleet = fleet("slow-reader=0.1", 1, b -> b.slowReaderStall(Duration.ofSeconds(8)))) {
            fleet.connectAll();
            fleet.whenAllWelcomed().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            // The gateway skips a bundle while a connection is unwritable, and how much the kernel's socket
            // buffers absorb depends on its autotuning; so new versions keep coming (same ten events, memory
            // bounded) until what the stalled reader leaves unread keeps its connection unwritable.
            int[] version = {1};
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
                if (closes("slow_consumer") >= 1) {
                    return true;
                }
                version[0]++;
                publishBigBundle(version[0] % 10, version[0]);
                return false;
            });
            // Once it reads again the device learns the connection is gone: 4001 if the close frame got
            // through, 1006 (no close frame) otherwise; it reconnects.
            await().atMost(WAIT).until(() -> {
                DeviceOutcomes slow = fleet.outcomes().get("slow-reader");
                return slow.closes(4001) + slow.closes(1006) >= 1;
            });
            assertThat(fleet.outcomes().get("slow-reader").closeCodes()).containsAnyOf(
                    Map.entry(4001, 1L), Map.entry(1006, 1L));

            publishStage(Stage.LIVE, 1);
            assertUnaffected(fleet, 1);
            // (Not every bundle: the gateway skips a bundle while a connection is unwritable, which a 700 KB frame
            // makes even a reading device for a moment; it comes with the next connect, protocol.md §8.)
            assertThat(fleet.devices()).filteredOn(d -> d.misbehaviour().isEmpty())
                    .allSatisfy(d -> assertThat(d.bundlesReceived()).isPositive());
        }
    }

    @Test
    void reconnectStormsMeet503WithRetryAfterWhileTheOthersStayConnected() throws Exception {
        try (DeviceFleet fleet = fleet("reconnect-storm=0.25", 2, b -> { })) {
            fleet.connectAll();
            fleet.whenAllWelcomed().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            // Over the node's 40 new connections per second: admission control refuses them.
            await().atMost(WAIT).until(() -> fleet.outcomes().get("reconnect-storm").refusals(503) >= 1);
            assertThat(gateway.metrics().count("kickoff_gateway_upgrades_refused", "reason", "over_rate"))
                    .isGreaterThanOrEqualTo(1);
            DeviceOutcomes storm = fleet.outcomes().get("reconnect-storm");
            assertThat(storm.reconnects()).isGreaterThanOrEqualTo(2);
            assertThat(storm.refusalsWithRetryAfter()).as("every 503 carries Retry-After").isEqualTo(storm.refusals(503));

            publishStage(Stage.LIVE, 1);
            assertUnaffected(fleet, 1);
        }
    }

    @Test
    void clockSkewedDevicesApplyUpdatesAndCorrectTheirReceiptTimesWithTheServerTime() throws Exception {
        Duration skew = Duration.ofHours(1);
        try (DeviceFleet fleet = fleet("clock-skew=0.25", 2, b -> b.clockSkew(skew))) {
            fleet.connectAll().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            publishStage(Stage.LIVE, 1);
            await().atMost(WAIT).until(() -> fleet.countAt(EVENT, Stage.LIVE, 1) == WELL_BEHAVED + 2);
            List<DeviceView> skewed = fleet.devices().stream().filter(d -> d.misbehaviour().isPresent()).toList();
            assertThat(skewed).hasSize(2);
            // Uncorrected, a clock an hour fast would put the latency near an hour.
            assertThat(skewed).allSatisfy(d -> assertThat(d.applied(EVENT, 1).map(AppliedUpdate::latencyMicros))
                    .hasValueSatisfying(latency -> assertThat(Math.abs(latency))
                            .isLessThan(skew.dividedBy(2).toNanos() / 1000)));
            assertThat(fleet.report(EVENT, 1).applied()).isEqualTo(WELL_BEHAVED + 2);
            assertUnaffected(fleet, 1);
            assertThat(fleet.outcomes().get("clock-skew").closeCodes()).isEmpty();
        }
    }

    @Test
    void everyKindAtOnceLeavesTheWellBehavedDevicesAlone() throws Exception {
        try (DeviceFleet fleet = fleet("garbage=0.1,reconnect-storm=0.1,clock-skew=0.1,silent=0.1", 4,
                b -> b.clockSkew(Duration.ofMinutes(-10)))) {
            fleet.connectAll();
            fleet.whenAllWelcomed().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            await().atMost(WAIT).until(() -> {
                Map<String, DeviceOutcomes> outcomes = fleet.outcomes();
                return outcomes.get("garbage").closes(1007) >= 1 && outcomes.get("silent").closes(1008) >= 1
                        && outcomes.get("reconnect-storm").refusals(503) >= 1;
            });
            assertThat(fleet.outcomes()).containsOnlyKeys("well-behaved", "garbage", "reconnect-storm", "clock-skew",
                    "silent");
            publishStage(Stage.PRE_SHOW, 1);
            publishStage(Stage.LIVE, 2);
            assertUnaffected(fleet, 2);
            await().atMost(WAIT).until(() -> fleet.countDevices(
                    d -> d.misbehaviour().orElse(null) == Misbehaviour.CLOCK_SKEW && d.appliedSeq(EVENT) == 2) == 1);
        }
    }
}
