package io.kickoff.loadtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kickoff.lsm.client.AdminClient;
import io.kickoff.lsm.client.NewEventRequest;
import io.kickoff.protocol.token.DeviceTokens;
import io.kickoff.protocol.v1.Stage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each simulation, in a short form (a few dozen devices, seconds), run by Gatling in this JVM
 * against a platform embedded in it ({@link EmbeddedTarget}); a run passes only if every Gatling
 * assertion of the simulation held (exit status 0). Reports are not generated (the statistics and
 * assertions are the same); the simulation logs are under {@code target/gatling-it}.
 */
class SimulationsIT {
    private static EmbeddedTarget target;

    @BeforeAll
    static void startPlatform() throws Exception {
        target = new EmbeddedTarget();
        moveCatalogEventsToPrefetch();
    }

    @AfterAll
    static void stopPlatform() {
        if (target != null) {
            target.close();
        }
    }

    @Test
    void liveHerdReceivesLiveAndReportsTimeToAll() {
        assertThat(run(BroadcastHerdSimulation.class, Map.of(
                "herd.devices", "30", "herd.connectRate", "30", "herd.warmupDevices", "10",
                "herd.gatewayUrl", target.gatewayUrl(), "herd.adminUrl", target.adminUrl(),
                "herd.p99BoundMs", "10000")))
                .as("Gatling status (0: every assertion held)").isZero();
    }

    @Test
    void reconnectStormObeysRetryAfterUntilAllAreBack() {
        assertThat(run(ReconnectStormSimulation.class, Map.of(
                "storm.devices", "40", "storm.connectRate", "5",
                "storm.gatewayUrl", target.throttledGatewayUrl(), "storm.expectRefusals", "true")))
                .as("Gatling status (0: every assertion held)").isZero();
    }

    @Test
    void drainedNodesDevicesMoveToAnotherNode() {
        assertThat(run(ReconnectStormSimulation.class, Map.of(
                "storm.devices", "20", "storm.connectRate", "20", "storm.trigger", "drain",
                "storm.gatewayUrl", target.drainableGatewayUrl(), "storm.reconnectUrls", target.gatewayUrl(),
                "kickoff.opsToken", EmbeddedTarget.OPS_TOKEN, "storm.drainWindowSeconds", "2")))
                .as("Gatling status (0: every assertion held)").isZero();
    }

    @Test
    void prefetchBurstIsShedWhileCriticalIsServed() {
        assertThat(run(BundleHerdSimulation.class, Map.of(
                "bundles.url", target.bundlesUrl(), "bundles.segments", EmbeddedTarget.CATALOG_SEGMENTS,
                "bundles.prefetchDevices", "100", "bundles.arrival", "burst",
                "bundles.criticalDevices", "20", "bundles.burstAtSeconds", "0", "bundles.expectShedding", "true")))
                .as("Gatling status (0: every assertion held)").isZero();
    }

    @Test
    void soakKeepsHeartbeatsAndUpdatesWithMemoryFlat() {
        assertThat(run(SoakSimulation.class, Map.of(
                "soak.devices", "10", "soak.connectRate", "10", "soak.durationSeconds", "10",
                "soak.heartbeatSeconds", "1", "soak.updateIntervalSeconds", "2",
                "soak.gatewayUrl", target.gatewayUrl(), "soak.adminUrl", target.adminUrl(),
                "soak.metricsUrl", target.metricsUrl(), "soak.memorySamples", "1", "soak.maxMemoryGrowthMiB", "64")))
                .as("Gatling status (0: every assertion held)").isZero();
    }

    /** Runs one simulation with these system properties (removed afterwards); returns Gatling's exit status. */
    private static int run(Class<?> simulation, Map<String, String> properties) {
        Map<String, String> previous = new HashMap<>();
        properties.forEach((name, value) -> previous.put(name, System.setProperty(name, value)));
        try {
            return io.gatling.app.Gatling$.MODULE$.fromArgs(new String[] {
                    "--simulation", simulation.getName(),
                    "--results-folder", Path.of("target", "gatling-it").toAbsolutePath().toString(),
                    "--no-reports"});
        } finally {
            previous.forEach((name, value) -> {
                if (value == null) {
                    System.clearProperty(name);
                } else {
                    System.setProperty(name, value);
                }
            });
        }
    }

    /** As run-bundles.sh does: the catalog's events to PREFETCH, then wait until the devices' segments list stable bundles. */
    private static void moveCatalogEventsToPrefetch() {
        AdminClient admin = new AdminClient(URI.create(target.adminUrl()), Settings.DEV_ADMIN_TOKEN);
        for (int e = 0; e < 10; e++) {
            admin.createEvent(NewEventRequest.of("ev" + e, "Event " + e, Instant.parse("2099-01-01T00:00:00Z")));
            admin.transition("ev" + e, Stage.PREFETCH);
        }
        DeviceTokens tokens = DeviceTokens.withSecret(Settings.DEV_TOKEN_SECRET);
        HttpClient http = HttpClient.newHttpClient();
        for (String segment : List.of(EmbeddedTarget.CATALOG_SEGMENTS.split(","))) {
            String token = tokens.issue("it-probe", segment, Duration.ofMinutes(10));
            String[] last = {""};
            int[] unchanged = {0};
            // Bundles are materialized one by one: settled once the list is non-empty and the same three polls in a row.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() -> {
                String body = http.send(HttpRequest.newBuilder(URI.create(target.bundlesUrl() + "/v1/bundles"))
                        .header("Authorization", "Bearer " + token).header("X-Priority", "critical").GET().build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                unchanged[0] = body.equals(last[0]) && body.length() > 2 ? unchanged[0] + 1 : 0;
                last[0] = body;
                return unchanged[0] >= 2;
            });
        }
    }
}
