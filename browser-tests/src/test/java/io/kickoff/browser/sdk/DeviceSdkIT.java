package io.kickoff.browser.sdk;

import static io.kickoff.browser.sdk.SdkPlatform.EVENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kickoff.browser.Chromium;
import io.kickoff.browser.DevicePage;
import io.kickoff.browser.TestPages;
import io.kickoff.protocol.v1.Stage;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The device SDK in Chromium against a real gateway, bundle API and Live State Manager. */
@ExtendWith(Chromium.class)
class DeviceSdkIT {
    @TempDir
    Path catalogDir;
    TestPages pages;
    SdkPlatform platform;

    @AfterEach
    void stop() {
        if (platform != null) {
            platform.close();
        }
        if (pages != null) {
            pages.close();
        }
    }

    void start(UnaryOperator<io.kickoff.gateway.GatewayConfig.Builder> gateway) throws InterruptedException {
        pages = TestPages.sdk();
        // The pages are of another origin than the bundle API: their critical fetches need CORS.
        // A restarted node is not ready at once: its 503 says come back in 1 s, not the default 1-10 s.
        platform = new SdkPlatform(catalogDir, g -> gateway.apply(g.retryAfter(Duration.ofSeconds(1), Duration.ofSeconds(1))),
                api -> api.withCorsOrigins(List.of(pages.origin())));
    }

    DevicePage device(Chromium.Browsers browsers, String id, Map<String, Object> extra) {
        DevicePage page = new DevicePage(browsers.open(), pages.page("device.html"));
        page.start(options(id, extra));
        return page;
    }

    Map<String, Object> options(String id, Map<String, Object> extra) {
        Map<String, Object> options = new java.util.HashMap<>(Map.of("gateway", platform.gatewayUrl(),
                "token", platform.token(id), "bundleApi", platform.bundleApiUrl()));
        options.putAll(extra);
        return options;
    }

    static void assertNeverWentBackwards(DevicePage page) {
        List<JsonNode> stages = page.stages(EVENT);
        for (int i = 1; i < stages.size(); i++) {
            BigInteger before = new BigInteger(stages.get(i - 1).path("seq").asText());
            BigInteger after = new BigInteger(stages.get(i).path("seq").asText());
            assertThat(after).as("seqs rendered: %s", stages).isGreaterThanOrEqualTo(before);
        }
    }

    @Test
    void aGatewayRestartMakesDevicesReconnectAndResumeWithoutGoingBackwards(Chromium.Browsers browsers) throws Exception {
        // A short reconnect policy (welcome.reconnect) keeps the devices' backoff around the restart short.
        start(g -> g.reconnect(Duration.ofMillis(200), Duration.ofSeconds(2)));
        List<DevicePage> devices = List.of(device(browsers, "restart-1", Map.of()), device(browsers, "restart-2", Map.of()));
        devices.forEach(d -> d.awaitSnapshot(s -> s.path("stats").path("welcomes").asInt() == 1));
        platform.createEvent();
        platform.transition(Stage.PREFETCH);
        platform.transition(Stage.PRE_SHOW);
        devices.forEach(d -> d.awaitApplied(EVENT, "PRE_SHOW@2"));

        // LIVE is decided while no gateway runs: devices learn it from the restarted node's welcome.
        platform.restartGateway(() -> platform.transition(Stage.LIVE));

        for (DevicePage device : devices) {
            device.awaitApplied(EVENT, "LIVE@3");
            assertThat(device.stat("welcomes")).isEqualTo(2);
            assertNeverWentBackwards(device);
            JsonNode live = device.stages(EVENT).get(device.stages(EVENT).size() - 1);
            assertThat(live.path("rowTitle").asText()).startsWith("Live now");
        }

        // A reload is the same device: it shows LIVE from its storage and the gateway sends nothing older.
        DevicePage reloaded = devices.get(0);
        reloaded.load(pages.page("device.html"));
        reloaded.start(options("restart-1", Map.of()));
        reloaded.awaitSnapshot(s -> s.path("stats").path("welcomes").asInt() == 1);
        List<JsonNode> afterReload = reloaded.stages(EVENT);
        assertThat(afterReload).hasSize(1);
        assertThat(afterReload.get(0).path("source").asText()).isEqualTo("restored");
        assertThat(afterReload.get(0).path("seq").asText()).isEqualTo("3");
        assertThat(reloaded.stat("applied")).isZero();
    }

    @Test
    void withheldAcksAreRedeliveredUntilTheDeviceAcks(Chromium.Browsers browsers) throws Exception {
        start(g -> g.ackTimeout(Duration.ofMillis(500)));
        DevicePage holding = device(browsers, "holding-1", Map.of("holdAcks", true));
        DevicePage acking = device(browsers, "acking-1", Map.of());
        holding.awaitSnapshot(s -> s.path("stats").path("welcomes").asInt() == 1);
        acking.awaitSnapshot(s -> s.path("stats").path("welcomes").asInt() == 1);
        platform.createEvent();
        platform.transition(Stage.PREFETCH);
        holding.awaitApplied(EVENT, "PREFETCH@1");
        acking.awaitApplied(EVENT, "PREFETCH@1");

        // No ack: the gateway sends the update again; the device drops it (same seq) and applies it once.
        holding.awaitSnapshot(s -> s.path("stats").path("duplicates").asInt() >= 2);
        assertThat(holding.stat("acks")).isZero();
        assertThat(holding.stat("applied")).isEqualTo(1);
        assertThat(holding.stages(EVENT)).extracting(s -> s.path("seq").asText()).containsOnly("1");

        holding.script("window.device.releaseAcks()");
        await().atMost(DevicePage.WITHIN).until(() -> platform.admin.delivery(EVENT).body().toString(),
                body -> body.contains("\"acked\":2") || body.contains("\"acked\": 2"));
        assertThat(acking.stat("duplicates")).as("an acking device is not sent it again").isZero();
    }

    @Test
    void a503RetryAfterFromAFullGatewayIsObeyed(Chromium.Browsers browsers) throws Exception {
        start(g -> g.maxConnections(1).retryAfter(Duration.ofSeconds(2), Duration.ofSeconds(2)));
        DevicePage first = device(browsers, "first", Map.of());
        first.awaitSnapshot(s -> s.path("state").path("connection").asText().equals("connected"));

        DevicePage refused = device(browsers, "refused", Map.of());
        refused.awaitSnapshot(s -> s.path("stats").path("retryAfters").asInt() >= 1);
        JsonNode waiting = refused.connections().stream()
                .filter(c -> c.path("retryAfterMs").isNumber()).findFirst().orElseThrow();
        assertThat(waiting.path("state").asText()).isEqualTo("waiting");
        assertThat(waiting.path("retryAfterMs").asLong()).isEqualTo(2000);
        assertThat(waiting.path("delayMs").asLong()).isEqualTo(2000);
        assertThat(waiting.path("reason").asText()).isEqualTo("refused 503");

        first.script("window.device.close()");
        refused.awaitSnapshot(s -> s.path("state").path("connection").asText().equals("connected"));
        List<JsonNode> log = refused.connections();
        int waited = log.indexOf(waiting);
        JsonNode next = log.subList(waited + 1, log.size()).stream()
                .filter(c -> c.path("state").asText().equals("connecting")).findFirst().orElseThrow();
        assertThat(next.path("at").asLong() - waiting.path("at").asLong())
                .as("the next attempt comes after Retry-After, not before").isGreaterThanOrEqualTo(1990);
    }

    @Test
    void aStaleBundleIsFetchedAsCriticalFromTheBundleApi(Chromium.Browsers browsers) throws Exception {
        start(g -> g);
        platform.createEvent();
        platform.transition(Stage.PREFETCH);
        platform.transition(Stage.LIVE);
        await().atMost(DevicePage.WITHIN).until(() -> platform.gateway().isReady());

        DevicePage page = new DevicePage(browsers.open(), pages.page("device.html"));
        // The device kept an older version of the event's bundle, e.g. from yesterday's catalog.
        page.script("localStorage.setItem('kickoff-device:stale-1', JSON.stringify({positions: {}, events: {}, etag: null,"
                + " bundles: {'" + EVENT + "': {eventId: '" + EVENT + "', segment: 'us-en-adult', version: 'stale-0',"
                + " stages: {LIVE: {rowTitle: 'stale'}}}}}))");
        // bundleWait 0: the welcome's LIVE names a version the device lacks, so it fetches before any push lands.
        page.start(options("stale-1", Map.of("bundleWait", 0)));

        page.awaitSnapshot(s -> s.path("stats").path("bundlesFetched").asInt() >= 1);
        page.awaitApplied(EVENT, "LIVE@2");
        JsonNode snapshot = page.snapshot();
        assertThat(snapshot.path("stats").path("criticalFetches").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(snapshot.path("stats").path("failedFetches").asInt()).isZero();
        assertThat(snapshot.path("log").path("errors")).isEmpty();
        JsonNode last = page.stages(EVENT).get(page.stages(EVENT).size() - 1);
        assertThat(last.path("version").asText()).isNotEqualTo("stale-0").isNotEmpty();
        assertThat(last.path("rowTitle").asText()).startsWith("Live now");
        assertThat(snapshot.path("state").path("events").path(EVENT).path("bundleVersion").asText())
                .isEqualTo(last.path("version").asText());
    }
}
