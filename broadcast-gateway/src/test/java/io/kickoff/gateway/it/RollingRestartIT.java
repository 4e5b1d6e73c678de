package io.kickoff.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kickoff.bus.EventBus;
import io.kickoff.bus.Topic;
import io.kickoff.gateway.Gateway;
import io.kickoff.protocol.token.DeviceTokens;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.simulator.DeviceFleet;
import io.kickoff.simulator.SimulatorReport;
import io.kickoff.testkit.TestKafka;
import io.kickoff.gateway.testing.TestGateways;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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

    @RegisterExtension
    final TestGateways gateways = TestGateways.onKafka(kafka, TOKENS);

    Gateway gateway(String node, int port) throws Exception {
        return gateways.startReady(node, b -> b.port(port).ioThreads(1).drainWindow(DRAIN_WINDOW)
                .reconnect(Duration.ofMillis(100), Duration.ofSeconds(2)));
    }

    @Test
    void aRollingRestartKeepsTwoThirdsOfTheFleetOnlineAndDeliversAChangeMadeDuringIt() throws Exception {
        EventBus publisher = gateways.bus("it-roll-publisher");
        String event = "roll-final";
        publisher.publish(Topic.STAGES, event, TestGateways.update(event, Stage.PRE_SHOW, 1).toByteArray()).get(30, TimeUnit.SECONDS);

        Gateway[] nodes = {gateway("gw-1", 0), gateway("gw-2", 0), gateway("gw-3", 0)};
        List<URI> uris = new ArrayList<>();
        for (Gateway gateway : nodes) {
            uris.add(TestGateways.uri(gateway));
        }
        DeviceFleet fleet = gateways.fleet(uris, DEVICES, "roll-",
                b -> b.reconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(2)).ioThreads(2));
        fleet.connectAll().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> fleet.countAt(event, Stage.PRE_SHOW, 1) == DEVICES);

        // Online devices, sampled in the background for the whole roll.
        AtomicInteger fewestOnline = new AtomicInteger(DEVICES);
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        gateways.closeAfter(sampler::shutdownNow);
        sampler.scheduleAtFixedRate(() -> fewestOnline.accumulateAndGet(fleet.connectedCount(), Math::min),
                0, 10, TimeUnit.MILLISECONDS);

        for (int i = 0; i < nodes.length; i++) {
            Gateway old = nodes[i];
            assertThat(old.connectedDevices()).as("gw-%d serves devices before its turn", i + 1).isPositive();
            CompletableFuture<Void> drained = old.drain();
            assertThat(old.isReady()).as("not ready while draining").isFalse();
            if (i == 1) {
                // A stage change in the middle of the roll, while this node drains and the first one is new.
                publisher.publish(Topic.STAGES, event, TestGateways.update(event, Stage.LIVE, 2).toByteArray()).get(30, TimeUnit.SECONDS);
            }
            drained.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(old.connectedDevices()).as("gw-%d drained: every device left", i + 1).isZero();
            int port = old.port();
            old.close();
            nodes[i] = gateway("gw-" + (i + 1) + "-new", port);
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
            for (Gateway gateway : nodes) {
                sum += gateway.connectedDevices();
            }
            return sum == DEVICES;
        });
    }
}
