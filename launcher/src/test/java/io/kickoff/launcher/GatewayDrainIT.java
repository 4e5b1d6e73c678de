package io.kickoff.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kickoff.protocol.token.DeviceTokens;
import io.kickoff.simulator.DeviceFleet;
import io.kickoff.simulator.FleetConfig;
import io.kickoff.testkit.TestKafka;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code kickoff gateway} stopped as SIGTERM would stop it, with devices connected: they move to
 * the other node one by one over the drain window, staying online, and the command exits once the
 * last one has left. The drain window is spread on the gateway's event loops, on real time: hence a short one.
 */
class GatewayDrainIT {
    static final String SECRET = "gateway-drain-it-secret-0123456789abcdef";
    static final Duration WAIT = Duration.ofSeconds(90);
    static final int DEVICES = 60;

    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    @Test
    void aStoppedGatewayKeepsItsDevicesOnlineWhileTheyMoveAndExitsWhenTheLastHasLeft() throws Exception {
        String bootstrap = kafka.bootstrapServers();
        CliRun leaving = CliRun.start("gateway", "--kafka", bootstrap, "--port", "0", "--node-id", "gw-leaving",
                "--token-secret", SECRET, "--drain-window", "PT3S", "--io-threads", "1");
        CliRun staying = CliRun.start("gateway", "--kafka", bootstrap, "--port", "0", "--node-id", "gw-staying",
                "--token-secret", SECRET, "--io-threads", "1");
        try {
            String leavingPort = leaving.awaitFound("device socket ws://127\\.0\\.0\\.1:(\\d+)/v1/connect", WAIT);
            String stayingPort = staying.awaitFound("device socket ws://127\\.0\\.0\\.1:(\\d+)/v1/connect", WAIT);
            try (DeviceFleet fleet = DeviceFleet.open(FleetConfig.builder()
                    .gateways(List.of(URI.create("ws://127.0.0.1:" + leavingPort), URI.create("ws://127.0.0.1:" + stayingPort)))
                    .devices(DEVICES).signedDevices("drain-", "us-en", DeviceTokens.withSecret(SECRET), Duration.ofHours(1))
                    .ioThreads(1).build())) {
                fleet.connectAll().get(WAIT.toSeconds(), TimeUnit.SECONDS);

                AtomicInteger fewestOnline = new AtomicInteger(DEVICES);
                ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
                try {
                    sampler.scheduleAtFixedRate(() -> fewestOnline.accumulateAndGet(fleet.connectedCount(), Math::min),
                            0, 10, TimeUnit.MILLISECONDS);
                    GatewayCommand command = leaving.command("gateway");
                    command.stop.request(); // what the shutdown hook does on SIGTERM
                    assertThat(leaving.exit().get(WAIT.toSeconds(), TimeUnit.SECONDS)).as(leaving.toString()).isZero();
                    // Every device was sent away before the node left: the fleet is whole on the other node.
                    await().atMost(WAIT).until(() -> fleet.connectedCount() == DEVICES);
                } finally {
                    sampler.shutdownNow();
                    sampler.awaitTermination(5, TimeUnit.SECONDS);
                }
                // Half the fleet was on the leaving node; moving one by one, almost all stayed online.
                assertThat(fewestOnline.get()).as("online devices during the drain").isGreaterThanOrEqualTo(DEVICES * 2 / 3);
                assertThat(fleet.devices()).allSatisfy(d -> assertThat(d.welcomes()).isBetween(1, 2));
            }
        } finally {
            for (CliRun run : List.of(leaving, staying)) {
                GatewayCommand command = run.command("gateway");
                command.stop.request();
                run.exit().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
        }
    }
}
