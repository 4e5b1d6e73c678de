package io.kickoff.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kickoff.bus.KafkaBusConfig;
import io.kickoff.bus.KafkaEventBus;
import io.kickoff.bus.Topic;
import io.kickoff.gateway.Gateway;
import io.kickoff.gateway.GatewayConfig;
import io.kickoff.protocol.Timestamps;
import io.kickoff.protocol.token.DeviceTokens;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.StageUpdate;
import io.kickoff.simulator.DeviceFleet;
import io.kickoff.simulator.FleetConfig;
import io.kickoff.simulator.SimulatorReport;
import io.kickoff.testkit.TestKafka;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A readiness-gated rolling restart of three gateways on one real Kafka bus under a simulated
 * fleet: each node in turn is drained (its devices move to the others a few at a time), replaced
 * on the same port and awaited ready, with a stage change published while the second node drains.
 */
class RollingRestartIT {
    private static final Logger log = LoggerFactory.getLogger(RollingRestartIT.class);
    static final DeviceTokens TOKENS = DeviceTokens.withSecret("rolling-restart-it-secret-0123456789!!");
    static final Duration WAIT = Duration.ofSeconds(60);
    static final Duration DRAIN_WINDOW = Duration.ofSeconds(3);
    static final int DEVICES = 300;

    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    Gateway gateway(String node, int port) throws Exception {
        KafkaEventBus bus = new KafkaEventBus(KafkaBusConfig.of(kafka.bootstrapServers()).withClientId(node));
        opened.add(bus);
        Gateway gateway = Gateway.start(GatewayConfig.builder().host("127.0.0.1").port(port).nodeId(node)
                .ioThreads(1).drainWindow(DRAIN_WINDOW).reconnect(Duration.ofMillis(100), Duration.ofSeconds(2))
                .build(), TOKENS, bus, Clock.systemUTC());
        opened.add(gateway);
        await().atMost(WAIT).until(gateway::isReady);
        return gateway;
    }

    static StageUpdate update(String eventId, Stage stage, long seq) {
        return StageUpdate.newBuilder().setEventId(eventId).setStage(stage).setSeq(seq)
                .setIssuedAt(Timestamps.of(Instant.now())).setReason("manual").build();
    }

    @Test
    void aRollingRestartKeepsTwoThirdsOfTheFleetOnlineAndDeliversAChangeMadeDuringIt() throws Exception {
        KafkaEventBus publisher = new KafkaEventBus(KafkaBusConfig.of(kafka.bootstrapServers()).withClientId("it-roll-publisher"));
        opened.add(publisher);
        String event = "roll-final";
        publisher.publish(Topic.STAGES, event, update(event, Stage.PRE_SHOW, 1).toByteArray()).get(30, TimeUnit.SECONDS);

        Gateway[] gateways = {gateway("gw-1", 0), gateway("gw-2", 0), gateway("gw-3", 0)};
        List<URI> uris = new ArrayList<>();
        for (Gateway gateway : gateways) {
            uris.add(URI.create("ws://127.0.0.1:" + gateway.port() + "/v1/connect"));
        }
        DeviceFleet fleet = DeviceFleet.open(FleetConfig.builder().gateways(uris).devices(DEVICES)
                .deviceIds(i -> "roll-" + i).tokens(i -> TOKENS.issue("roll-" + i, "us-en", Duration.ofHours(1)))
                .reconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(2)).ioThreads(2).build());
        opened.add(fleet);
        fleet.connectAll().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> fleet.countAt(event, Stage.PRE_SHOW, 1) == DEVICES);

        // Online devices, sampled in the background for the whole roll.
        AtomicInteger fewestOnline = new AtomicInteger(DEVICES);
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        opened.add(sampler::shutdownNow);
        sampler.scheduleAtFixedRate(() -> fewestOnline.accumulateAndGet(fleet.connectedCount(), Math::min),
                0, 10, TimeUnit.MILLISECONDS);

        for (int i = 0; i < gateways.length; i++) {
            Gateway old = gateways[i];
            assertThat(old.connectedDevices()).as("gw-%d serves devices before its turn", i + 1).isPositive();
            CompletableFuture<Void> drained = old.drain();
            assertThat(old.isReady()).as("not ready while draining").isFalse();
            if (i == 1) {
                // A stage change in the middle of the roll, while this node drains and the first one is new.
                publisher.publish(Topic.STAGES, event, update(event, Stage.LIVE, 2).toByteArray()).get(30, TimeUnit.SECONDS);
            }
            drained.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(old.connectedDevices()).as("gw-%d drained: every device left", i + 1).isZero();
            int port = old.port();
            old.close();
            gateways[i] = gateway("gw-" + (i + 1) + "-new", port);
        }

        await().atMost(WAIT).until(() -> fleet.countAt(event, Stage.LIVE, 2) == DEVICES);
        sampler.shutdownNow();
        sampler.awaitTermination(5, TimeUnit.SECONDS);
        SimulatorReport live = fleet.report(event, 2);
        log.info("rolling restart: fewest devices online {} of {}; mid-roll LIVE reached {} devices, p50 {} ms, p99 {} ms",
                fewestOnline.get(), DEVICES, live.reached(), live.p50Millis(), live.p99Millis());
        assertThat(live.reached()).as("every device converged on the mid-roll change").isEqualTo(DEVICES);
        assertThat(fewestOnline.get()).as("never more than one node's share offline").isGreaterThanOrEqualTo(DEVICES * 2 / 3);
        await("the whole fleet ends on the new nodes").atMost(WAIT).until(() -> {
            int sum = 0;
            for (Gateway gateway : gateways) {
                sum += gateway.connectedDevices();
            }
            return sum == DEVICES;
        });
    }
}
