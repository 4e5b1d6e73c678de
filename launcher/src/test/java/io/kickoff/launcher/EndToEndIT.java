package io.kickoff.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kickoff.bus.KafkaBusConfig;
import io.kickoff.bus.KafkaEventBus;
import io.kickoff.gateway.Gateway;
import io.kickoff.gateway.testing.TestGateways;
import io.kickoff.lsm.LiveStateManager;
import io.kickoff.lsm.client.AdminClient;
import io.kickoff.lsm.client.NewEventRequest;
import io.kickoff.lsm.testing.TestLiveStateManagers;
import io.kickoff.prefetch.PrefetchService;
import io.kickoff.prefetch.bundle.InMemoryBundleStore;
import io.kickoff.prefetch.catalog.CatalogBlobStore;
import io.kickoff.prefetch.catalog.CatalogPublisher;
import io.kickoff.prefetch.catalog.CatalogSource;
import io.kickoff.prefetch.testing.TestPrefetchNodes;
import io.kickoff.protocol.token.DeviceTokens;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.simulator.DeviceConnectException;
import io.kickoff.simulator.DeviceFleet;
import io.kickoff.testkit.TestKafka;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The walking skeleton through real parts: admin HTTP call → Live State Manager → real Kafka →
 * gateway → 100 real WebSocket clients. The LSM and the gateway each have their own Kafka
 * clients, as separate services would.
 */
class EndToEndIT {
    static final int DEVICES = 100;

    @RegisterExtension
    static final TestKafka kafka = new TestKafka();
    static final DeviceTokens tokens = DeviceTokens.withSecret("end-to-end-secret-end-to-end-secret!");
    @RegisterExtension
    static final TestLiveStateManagers lsms = new TestLiveStateManagers();
    @RegisterExtension
    static final TestGateways gateways = TestGateways.onKafka(kafka, tokens);
    @RegisterExtension
    static final TestPrefetchNodes prefetchNodes = new TestPrefetchNodes();

    static LiveStateManager lsm;
    static Gateway gateway;
    static final Instant START = Instant.parse("2099-01-01T00:00:00Z");
    static AdminClient admin;

    @BeforeAll
    static void startServices() throws Exception {
        KafkaEventBus lsmBus = lsms.closeAfter(new KafkaEventBus(KafkaBusConfig.of(kafka.bootstrapServers()).withClientId("lsm")));
        lsm = lsms.start("lsm-e2e", lsms.inMemory(Clock.systemUTC()), lsmBus, Clock.systemUTC());
        admin = TestLiveStateManagers.admin(lsm);
        gateway = gateways.startReady("gw-e2e", b -> b);
    }

    static List<URI> gatewayUri() {
        return List.of(TestGateways.uri(gateway));
    }

    /** A prefetch node on its own Kafka client, reading a synthetic catalog published into {@code blobs}. */
    static PrefetchService prefetchNode(Path blobs, String clientId) throws Exception {
        CatalogPublisher.publish(blobs, CatalogSource.synthetic(500, 3, 2));
        KafkaEventBus bus = prefetchNodes.closeAfter(new KafkaEventBus(KafkaBusConfig.of(kafka.bootstrapServers()).withClientId(clientId)));
        return prefetchNodes.start(CatalogBlobStore.directory(blobs), new InMemoryBundleStore(), bus, tokens);
    }

    @Test
    void aLiveTransitionReachesEveryConnectedDevice() throws Exception {
        try (DeviceFleet fleet = gateways.fleet(gatewayUri(), DEVICES, "e2e-")) {
            fleet.connectAll().get(60, TimeUnit.SECONDS);
            await().until(() -> gateway.connectedDevices() == DEVICES);

            assertThat(admin.createEvent(NewEventRequest.of("e2e-final", "The Final", START)
                    .withSegments(List.of("us-en"))).status()).isEqualTo(201);
            assertThat(admin.transition("e2e-final", Stage.LIVE).status()).isEqualTo(200);

            await().atMost(Duration.ofSeconds(30)).until(() -> fleet.countAt("e2e-final", Stage.LIVE, 1) == DEVICES);
            assertThat(fleet.devices()).allSatisfy(device -> {
                assertThat(device.stage("e2e-final")).contains(Stage.LIVE);
                assertThat(device.appliedSeq("e2e-final")).isEqualTo(1);
            });
            // Every device acks what it applied.
            await().until(() -> gateway.metrics().count("kickoff_gateway_acks") >= DEVICES);
        }
    }

    @Test
    void aDeviceThatConnectsLaterIsToldTheCurrentStageInWelcome() throws Exception {
        assertThat(admin.createEvent(NewEventRequest.of("e2e-late", "Late", START)).status()).isEqualTo(201);
        assertThat(admin.transition("e2e-late", Stage.PRE_SHOW).status()).isEqualTo(200);
        assertThat(admin.transition("e2e-late", Stage.LIVE).status()).isEqualTo(200);
        try (DeviceFleet fleet = gateways.fleet(gatewayUri(), 3, "late-", "fr-fr", b -> b)) {
            fleet.connectAll().get(60, TimeUnit.SECONDS);
            // The update may still be on its way to the gateway when the devices connect.
            await().atMost(Duration.ofSeconds(30)).until(() -> fleet.countAt("e2e-late", Stage.LIVE, 2) == 3);
        }
    }

    @Test
    void anEventEnteringPrefetchPutsItsBundleOnDevicesOfItsSegment(@org.junit.jupiter.api.io.TempDir Path blobs)
            throws Exception {
        prefetchNode(blobs, "prefetch");
        try (KafkaEventBus watcherBus = new KafkaEventBus(KafkaBusConfig.of(kafka.bootstrapServers()).withClientId("bundle-watcher"))) {
            java.util.Set<String> segmentsWithBundle = java.util.concurrent.ConcurrentHashMap.newKeySet();
            watcherBus.subscribe(io.kickoff.bus.Topic.BUNDLES, io.kickoff.bus.StartFrom.BEGINNING, r -> {
                try {
                    io.kickoff.protocol.v1.Bundle b = io.kickoff.protocol.v1.Bundle.parseFrom(r.value());
                    if (b.getEventId().equals("ev0")) {
                        segmentsWithBundle.add(b.getSegment());
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            // ev0 is an event of the catalog; the producer creates it and moves it to PREFETCH.
            assertThat(admin.createEvent(NewEventRequest.of("ev0", "Catalog event", START)).status()).isEqualTo(201);
            assertThat(admin.transition("ev0", Stage.PREFETCH).status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(60)).until(() -> !segmentsWithBundle.isEmpty());

            String segment = segmentsWithBundle.iterator().next();
            try (DeviceFleet fleet = gateways.fleet(gatewayUri(), 5, "bundle-", segment, b -> b)) {
                fleet.connectAll().get(60, TimeUnit.SECONDS);
                // Connected after the push: the gateway sends the segment's bundle right after welcome.
                fleet.whenHoldingBundle("ev0", 5).get(60, TimeUnit.SECONDS);
                assertThat(fleet.countAt("ev0", Stage.PREFETCH, 1)).isEqualTo(5);
            }
        }
    }

    /** Segment → bundle version, as the admin API's event view shows them. */
    static Map<String, String> bundleVersions(String eventId) {
        com.fasterxml.jackson.databind.JsonNode versions = admin.event(eventId).body().get("bundle_versions");
        Map<String, String> bySegment = new java.util.TreeMap<>();
        versions.fields().forEachRemaining(e -> bySegment.put(e.getKey(), e.getValue().asText()));
        return bySegment;
    }

    @Test
    void aStageUpdateNamesTheBundleToRenderAndADeviceWithoutItFetchesItAsCritical(
            @org.junit.jupiter.api.io.TempDir Path blobs) throws Exception {
        PrefetchService prefetch = prefetchNode(blobs, "prefetch-versions");
        assertThat(admin.createEvent(NewEventRequest.of("ev1", "Catalog event", START)).status()).isEqualTo(201);
        assertThat(admin.transition("ev1", Stage.PREFETCH).status()).isEqualTo(200);
        // The admin API shows the version the prefetch node materialised for each segment.
        await().atMost(Duration.ofSeconds(60)).until(() -> !bundleVersions("ev1").isEmpty());
        Map.Entry<String, String> materialised = bundleVersions("ev1").entrySet().iterator().next();
        String segment = materialised.getKey();
        String version = materialised.getValue();

        int devices = 6;
        try (DeviceFleet fleet = gateways.fleet(gatewayUri(), devices, "render-", segment,
                b -> b.bundleApi(TestPrefetchNodes.bundleApi(prefetch)))) {
            fleet.connectAll().get(60, TimeUnit.SECONDS);
            fleet.whenHoldingBundle("ev1", devices).get(60, TimeUnit.SECONDS);
            // Half the devices lose their cache (storage cleared): they no longer hold the bundle.
            for (int i = 0; i < devices / 2; i++) {
                fleet.forgetBundles(i).get(10, TimeUnit.SECONDS);
            }
            assertThat(admin.transition("ev1", Stage.LIVE).status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> fleet.countAt("ev1", Stage.LIVE, 2) == devices);
            await().atMost(Duration.ofSeconds(30)).until(() -> fleet.countDevices(d -> d.bundlesFetched() >= 1) == devices / 2);

            for (int i = 0; i < devices; i++) {
                var device = fleet.device(i);
                var applied = device.applied("ev1", 2).orElseThrow();
                // Every device is told the version of its segment's bundle.
                assertThat(applied.bundleVersion()).isEqualTo(version);
                if (i < devices / 2) {
                    assertThat(applied.bundleHeld()).isFalse();
                    assertThat(device.criticalBundleFetches()).isEqualTo(1);
                } else {
                    // It held the bundle the update names: it renders at once, no request.
                    assertThat(applied.bundleHeld()).isTrue();
                    assertThat(device.criticalBundleFetches()).isZero();
                }
            }
        }
    }

    @Test
    void aDeviceWithoutAValidTokenGets401AndNoSocket() {
        for (String token : new String[] {null, "not-a-token",
                DeviceTokens.withSecret("another-secret-another-secret-another").issue("x", "us-en", Duration.ofHours(1))}) {
            try (DeviceFleet fleet = gateways.fleet(gatewayUri(), 1, "anon", b -> b.tokens(i -> token).reconnect(false))) {
                assertThatThrownBy(() -> fleet.connectAll().get(30, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOfSatisfying(DeviceConnectException.class,
                                e -> assertThat(e.httpStatus()).hasValue(401));
                assertThat(fleet.connectedCount()).isZero();
            }
        }
    }
}
