package io.kickoff.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kickoff.bus.KafkaBusConfig;
import io.kickoff.bus.KafkaEventBus;
import io.kickoff.gateway.Gateway;
import io.kickoff.gateway.GatewayConfig;
import io.kickoff.lsm.LiveStateManager;
import io.kickoff.lsm.api.AdminToken;
import io.kickoff.lsm.client.AdminClient;
import io.kickoff.lsm.client.NewEventRequest;
import io.kickoff.lsm.store.InMemoryLeaderLease;
import io.kickoff.lsm.event.InMemoryEventStore;
import io.kickoff.lsm.idempotency.InMemoryIdempotency;
import io.kickoff.protocol.token.DeviceTokens;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.simulator.DeviceConnectException;
import io.kickoff.simulator.DeviceFleet;
import io.kickoff.simulator.FleetConfig;
import io.kickoff.testkit.TestKafka;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The walking skeleton through real parts: admin HTTP call → Live State Manager → real Kafka →
 * gateway → 100 real WebSocket clients. The LSM and the gateway each have their own Kafka
 * clients, as separate services would.
 */
class EndToEndIT {
    static final String OPERATOR_TOKEN = "e2e-operator";
    static final int DEVICES = 100;

    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    static KafkaEventBus lsmBus;
    static KafkaEventBus gatewayBus;
    static LiveStateManager lsm;
    static Gateway gateway;
    static final DeviceTokens tokens = DeviceTokens.withSecret("end-to-end-secret-end-to-end-secret!");
    static final Instant START = Instant.parse("2099-01-01T00:00:00Z");
    static AdminClient admin;

    @BeforeAll
    static void startServices() throws Exception {
        lsmBus = new KafkaEventBus(KafkaBusConfig.of(kafka.bootstrapServers()).withClientId("lsm"));
        gatewayBus = new KafkaEventBus(KafkaBusConfig.of(kafka.bootstrapServers()).withClientId("gateway"));
        lsm = LiveStateManager.start(LiveStateManager.Config.of("127.0.0.1", 0,
                        Map.of(OPERATOR_TOKEN, AdminToken.operator("e2e")), "lsm-e2e"),
                new InMemoryEventStore(), new InMemoryIdempotency(Clock.systemUTC()), new InMemoryLeaderLease(), lsmBus,
                Clock.systemUTC());
        admin = new AdminClient(URI.create("http://127.0.0.1:" + lsm.adminPort()), OPERATOR_TOKEN);
        gateway = Gateway.start(GatewayConfig.builder().host("127.0.0.1").port(0).nodeId("gw-e2e").build(),
                tokens, gatewayBus, Clock.systemUTC());
        await().atMost(Duration.ofSeconds(60)).until(gateway::isReady);
    }

    @AfterAll
    static void stopServices() {
        gateway.close();
        lsm.close();
        gatewayBus.close();
        lsmBus.close();
    }

    static URI gatewayUri() {
        return URI.create("ws://127.0.0.1:" + gateway.port() + "/v1/connect");
    }

    @Test
    void aLiveTransitionReachesEveryConnectedDevice() throws Exception {
        try (DeviceFleet fleet = DeviceFleet.open(FleetConfig.builder().gateway(gatewayUri()).devices(DEVICES)
                .deviceIds(i -> "e2e-" + i)
                .tokens(i -> tokens.issue("e2e-" + i, "us-en", Duration.ofHours(1)))
                .build())) {
            fleet.connectAll().get(60, TimeUnit.SECONDS);
            await().until(() -> gateway.connectedDevices() == DEVICES);

            assertThat(admin.createEvent(NewEventRequest.of("e2e-final", "The Final", START)
                    .withSegments(java.util.List.of("us-en"))).status()).isEqualTo(201);
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
        try (DeviceFleet fleet = DeviceFleet.open(FleetConfig.builder().gateway(gatewayUri()).devices(3)
                .deviceIds(i -> "late-" + i)
                .tokens(i -> tokens.issue("late-" + i, "fr-fr", Duration.ofHours(1)))
                .build())) {
            fleet.connectAll().get(60, TimeUnit.SECONDS);
            // The update may still be on its way to the gateway when the devices connect.
            await().atMost(Duration.ofSeconds(30)).until(() -> fleet.countAt("e2e-late", Stage.LIVE, 2) == 3);
        }
    }

    @Test
    void anEventEnteringPrefetchPutsItsBundleOnDevicesOfItsSegment(@org.junit.jupiter.api.io.TempDir java.nio.file.Path blobs)
            throws Exception {
        io.kickoff.prefetch.catalog.CatalogPublisher.publish(blobs, io.kickoff.prefetch.catalog.CatalogSource.synthetic(500, 3, 2));
        try (KafkaEventBus prefetchBus = new KafkaEventBus(KafkaBusConfig.of(kafka.bootstrapServers()).withClientId("prefetch"));
             KafkaEventBus watcherBus = new KafkaEventBus(KafkaBusConfig.of(kafka.bootstrapServers()).withClientId("bundle-watcher"));
             PrefetchStorage storage = PrefetchStorage.open(io.kickoff.prefetch.catalog.CatalogBlobStore.directory(blobs), null);
             io.kickoff.prefetch.PrefetchService prefetch = io.kickoff.prefetch.PrefetchService.start(
                     io.kickoff.prefetch.http.BundleServerConfig.defaults().withHost("127.0.0.1").withPort(0),
                     storage.catalog(), storage.bundles(), prefetchBus, tokens, Clock.systemUTC())) {
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
            try (DeviceFleet fleet = DeviceFleet.open(FleetConfig.builder().gateway(gatewayUri()).devices(5)
                    .deviceIds(i -> "bundle-" + i)
                    .tokens(i -> tokens.issue("bundle-" + i, segment, Duration.ofHours(1)))
                    .build())) {
                fleet.connectAll().get(60, TimeUnit.SECONDS);
                // Connected after the push: the gateway sends the segment's bundle right after welcome.
                await().atMost(Duration.ofSeconds(60)).until(() -> fleet.countDevices(d -> d.bundlesReceived() >= 1) == 5);
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
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path blobs) throws Exception {
        io.kickoff.prefetch.catalog.CatalogPublisher.publish(blobs, io.kickoff.prefetch.catalog.CatalogSource.synthetic(500, 3, 2));
        try (KafkaEventBus prefetchBus = new KafkaEventBus(KafkaBusConfig.of(kafka.bootstrapServers()).withClientId("prefetch-versions"));
             PrefetchStorage storage = PrefetchStorage.open(io.kickoff.prefetch.catalog.CatalogBlobStore.directory(blobs), null);
             io.kickoff.prefetch.PrefetchService prefetch = io.kickoff.prefetch.PrefetchService.start(
                     io.kickoff.prefetch.http.BundleServerConfig.defaults().withHost("127.0.0.1").withPort(0),
                     storage.catalog(), storage.bundles(), prefetchBus, tokens, Clock.systemUTC())) {
            assertThat(admin.createEvent(NewEventRequest.of("ev1", "Catalog event", START)).status()).isEqualTo(201);
            assertThat(admin.transition("ev1", Stage.PREFETCH).status()).isEqualTo(200);
            // The admin API shows the version the prefetch node materialised for each segment.
            await().atMost(Duration.ofSeconds(60)).until(() -> !bundleVersions("ev1").isEmpty());
            Map.Entry<String, String> materialised = bundleVersions("ev1").entrySet().iterator().next();
            String segment = materialised.getKey();
            String version = materialised.getValue();

            int devices = 6;
            try (DeviceFleet fleet = DeviceFleet.open(FleetConfig.builder().gateway(gatewayUri()).devices(devices)
                    .deviceIds(i -> "render-" + i)
                    .tokens(i -> tokens.issue("render-" + i, segment, Duration.ofHours(1)))
                    .bundleApi(URI.create("http://127.0.0.1:" + prefetch.port()))
                    .build())) {
                fleet.connectAll().get(60, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(60)).until(() -> fleet.countDevices(d -> d.bundlesReceived() >= 1) == devices);
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
    }

    @Test
    void aDeviceWithoutAValidTokenGets401AndNoSocket() {
        for (String token : new String[] {null, "not-a-token",
                DeviceTokens.withSecret("another-secret-another-secret-another").issue("x", "us-en", Duration.ofHours(1))}) {
            try (DeviceFleet fleet = DeviceFleet.open(FleetConfig.builder().gateway(gatewayUri()).devices(1)
                    .deviceIds(i -> "anon")
                    .tokens(i -> token)
                    .reconnect(false)
                    .build())) {
                assertThatThrownBy(() -> fleet.connectAll().get(30, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOfSatisfying(DeviceConnectException.class,
                                e -> assertThat(e.httpStatus()).hasValue(401));
                assertThat(fleet.connectedCount()).isZero();
            }
        }
    }
}
