package io.kickoff.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.lsm.client.AdminClient;
import io.kickoff.lsm.client.NewEventRequest;
import io.kickoff.protocol.token.DeviceTokens;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.simulator.DeviceFleet;
import io.kickoff.simulator.FleetConfig;
import io.kickoff.testkit.TestKafka;
import io.kickoff.testkit.TestRedis;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A small cluster started from the example configuration files of {@code ops/config/}, as an operator would start
 * it, on a real Kafka and Redis: the LSM, a gateway and the prefetch node of node 1 and the gateway of node 2, each
 * through its command with {@code --config}. Only the addresses of this machine's Kafka, Redis and catalog and
 * free ports are given as flags (flags override the file). Devices on both gateways get the event's bundle and its
 * LIVE update.
 */
class DeploymentIT {
    static final String SECRET = "deployment-it-device-token-secret-0123456789";
    static final String ADMIN = "deployment-it-operator";
    static final Duration WAIT = Duration.ofSeconds(60);
    static final String SEGMENT = "us-en-adult";
    static final int DEVICES = 10;

    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    @RegisterExtension
    static final TestRedis redis = new TestRedis();

    final List<CliRun> services = new ArrayList<>();

    CliRun start(String command, Path config, String... args) {
        List<String> line = new ArrayList<>(List.of(command, "--config", config.toString(), "--kafka",
                kafka.bootstrapServers(), "--host", "127.0.0.1", "--port", "0"));
        line.addAll(List.of(args));
        CliRun run = CliRun.start(line.toArray(String[]::new));
        services.add(run);
        return run;
    }

    /** Stops each service as a signal would, the last started first. */
    @AfterEach
    void stopServices() throws Exception {
        for (int i = services.size() - 1; i >= 0; i--) {
            stop(services.get(i));
        }
    }

    static void stop(CliRun run) throws Exception {
        for (String name : List.of("gateway", "lsm", "prefetch")) {
            Object command = run.command(name);
            if (command instanceof GatewayCommand gateway) {
                gateway.stop.request();
            } else if (command instanceof LsmCommand lsm) {
                lsm.stop.request();
            } else if (command instanceof PrefetchCommand prefetch) {
                prefetch.stop.request();
            }
        }
        assertThat(run.exit().get(WAIT.toSeconds(), TimeUnit.SECONDS)).as(run.toString()).isZero();
    }

    @Test
    void aClusterStartedFromTheNodeFilesDeliversAnUpdateToDevicesOnEveryGateway() throws Exception {
        Path node1 = DeploymentConfigTest.CONFIG.resolve("node-1.yaml");
        Path node2 = DeploymentConfigTest.CONFIG.resolve("node-2.yaml");
        try (ExampleCatalog catalog = ExampleCatalog.publish()) {
            CliRun lsm = start("lsm", node1, "--redis", redis.uri(), "--admin-token", ADMIN);
            CliRun prefetch = start("prefetch", node1, "--redis", redis.uri(), "--catalog-dir", catalog.dir().toString(),
                    "--token-secret", SECRET);
            CliRun gw1 = start("gateway", node1, "--token-secret", SECRET, "--warm-up-devices", "0");
            CliRun gw2 = start("gateway", node2, "--token-secret", SECRET, "--warm-up-devices", "0");

            int adminPort = Integer.parseInt(lsm.awaitFound("admin API +http://127\\.0\\.0\\.1:(\\d+)/v1/events", WAIT));
            int bundlePort = Integer.parseInt(prefetch.awaitFound("bundle API +http://127\\.0\\.0\\.1:(\\d+)/v1/bundles", WAIT));
            String port1 = gw1.awaitFound("device socket ws://127\\.0\\.0\\.1:(\\d+)/v1/connect", WAIT);
            String port2 = gw2.awaitFound("device socket ws://127\\.0\\.0\\.1:(\\d+)/v1/connect", WAIT);
            // The names come from the files.
            assertThat(gw1.out()).contains("Kickoff gateway gateway-1 ");
            assertThat(gw2.out()).contains("Kickoff gateway gateway-2 ");
            assertThat(lsm.out()).contains("store         Redis " + redis.uri());

            try (DeviceFleet fleet = DeviceFleet.open(FleetConfig.builder()
                    .gateways(List.of(URI.create("ws://127.0.0.1:" + port1 + "/v1/connect"),
                            URI.create("ws://127.0.0.1:" + port2 + "/v1/connect")))
                    .devices(DEVICES)
                    .signedDevices("deployment-it-", SEGMENT, DeviceTokens.withSecret(SECRET), Duration.ofHours(1))
                    .bundleApi(URI.create("http://127.0.0.1:" + bundlePort))
                    .build())) {
                fleet.connectAll().get(WAIT.toSeconds(), TimeUnit.SECONDS);

                AdminClient admin = new AdminClient(URI.create("http://127.0.0.1:" + adminPort), ADMIN);
                String event = DemoCommand.EVENT_ID;
                assertThat(admin.createEvent(NewEventRequest.of(event, "UFC 309", Instant.now().plus(Duration.ofHours(2)))
                        .withSegments(List.of(SEGMENT))).status()).isEqualTo(201);
                assertThat(admin.transition(event, Stage.PREFETCH).status()).isEqualTo(200);
                fleet.whenHoldingBundle(event, DEVICES).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(admin.transition(event, Stage.LIVE).status()).isEqualTo(200);
                fleet.whenReached(event, DemoCommand.LIVE_SEQ, DEVICES).get(WAIT.toSeconds(), TimeUnit.SECONDS);

                assertThat(fleet.countAt(event, Stage.LIVE, DemoCommand.LIVE_SEQ)).isEqualTo(DEVICES);
            }
        }
    }
}
