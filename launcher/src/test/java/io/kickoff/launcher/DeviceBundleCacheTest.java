package io.kickoff.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kickoff.bus.InProcessEventBus;
import io.kickoff.bus.Topic;
import io.kickoff.gateway.Gateway;
import io.kickoff.gateway.GatewayConfig;
import io.kickoff.http.EdgeLimits;
import io.kickoff.prefetch.bundle.InMemoryBundleStore;
import io.kickoff.prefetch.http.BundleServer;
import io.kickoff.prefetch.http.BundleServerConfig;
import io.kickoff.prefetch.http.Jitter;
import io.kickoff.protocol.Timestamps;
import io.kickoff.protocol.token.DeviceTokens;
import io.kickoff.protocol.v1.Bundle;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.StageUpdate;
import io.kickoff.simulator.BundleCacheFigures;
import io.kickoff.simulator.DeviceFleet;
import io.kickoff.simulator.FleetConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Simulated devices render from their bundle cache against a real gateway and a real bundle API in
 * this JVM: a hit renders at once, a miss fetches as critical, and a listing past its max-age is
 * revalidated with {@code If-None-Match} and answered 304. The devices' cache clock is moved, not waited for.
 */
class DeviceBundleCacheTest {
    static final String SECRET = "device-bundle-cache-test-secret-0123456789";
    static final Duration WAIT = Duration.ofSeconds(60);
    static final String EVENT = "final";
    static final String SEGMENT = "us-en";

    final DeviceTokens tokens = DeviceTokens.withSecret(SECRET);
    final InMemoryBundleStore store = new InMemoryBundleStore();
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    InProcessEventBus bus;
    Gateway gateway;
    BundleServer bundleApi;
    int bundlePort;

    @BeforeEach
    void start() throws Exception {
        bus = new InProcessEventBus();
        gateway = Gateway.start(GatewayConfig.builder().host("127.0.0.1").port(0).nodeId("gw-cache")
                .warmUp(GatewayConfig.WarmUp.OFF).build(), tokens, bus, Clock.systemUTC());
        // max-age=1 (the least the API sends), without jitter.
        BundleServerConfig config = BundleServerConfig.defaults().withHost("127.0.0.1").withPort(0)
                .withMaxAge(Duration.ofSeconds(1), 0).withLimits(64, 16).withIoThreads(1)
                .withEdge(EdgeLimits.defaults(1000));
        bundleApi = new BundleServer(config, store, tokens, SEGMENT::equals, () -> true, registry, Jitter.random());
        bundlePort = bundleApi.start();
        await().atMost(WAIT).until(gateway::isReady);
    }

    @AfterEach
    void stop() {
        bundleApi.close();
        gateway.close();
        bus.close();
    }

    void publishBundle(Bundle bundle) {
        store.put(bundle, Duration.ofHours(1)).join();
        bus.publish(Topic.BUNDLES, bundle.getEventId() + ":" + bundle.getSegment(), bundle.toByteArray()).join();
    }

    void publishStage(Stage stage, long seq) {
        bus.publish(Topic.STAGES, EVENT, StageUpdate.newBuilder().setEventId(EVENT).setStage(stage).setSeq(seq)
                .setIssuedAt(Timestamps.of(Instant.now())).build().toByteArray()).join();
    }

    /** The devices' clock for their caches, moved by the test instead of waiting for max-age to pass. */
    static final class AdjustableClock extends Clock {
        private final java.util.concurrent.atomic.AtomicLong offsetMillis = new java.util.concurrent.atomic.AtomicLong();

        void advance(Duration by) {
            offsetMillis.addAndGet(by.toMillis());
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return Instant.now().plusMillis(offsetMillis.get());
        }
    }

    final AdjustableClock deviceClock = new AdjustableClock();

    @Test
    void hitsRenderAtOnceMissesFetchAfterTheJitterAndStaleListingsAreRevalidatedWith304() throws Exception {
        publishBundle(Bundle.newBuilder().setEventId(EVENT).setSegment(SEGMENT).setVersion("v1").build());
        int devices = 4;
        FleetConfig config = FleetConfig.builder().gateway("ws://127.0.0.1:" + gateway.port()).devices(devices)
                .tokens(i -> tokens.issue("device-" + i, SEGMENT, Duration.ofHours(1)))
                .bundleApi(URI.create("http://127.0.0.1:" + bundlePort))
                .missJitter(Duration.ofMillis(200))
                .cacheClock(deviceClock)
                .build();
        try (DeviceFleet fleet = DeviceFleet.open(config)) {
            fleet.connectAll().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            // The gateway pushes v1 right after each welcome.
            await().atMost(WAIT).until(() -> fleet.countDevices(d -> d.bundlesReceived() == 1) == devices);
            // Devices 0 and 1 lose their cache: the next update is a miss for them.
            fleet.forgetBundles(0).get(10, TimeUnit.SECONDS);
            fleet.forgetBundles(1).get(10, TimeUnit.SECONDS);

            publishStage(Stage.PRE_SHOW, 1);
            await().atMost(WAIT).until(() -> fleet.bundleCache().fetched() == 2);
            BundleCacheFigures first = fleet.bundleCache();
            assertThat(first.hits()).as("devices 2 and 3 held v1").isEqualTo(2);
            assertThat(first.misses()).isEqualTo(2);
            assertThat(first.expired()).isZero();
            assertThat(first.notModified()).isZero();
            assertThat(fleet.device(0).bundlesFetched()).isEqualTo(1);
            assertThat(fleet.device(2).criticalBundleFetches()).isZero();
            // (ENDED would name no bundle: the gateway drops an ended event's bundles.)
            assertThat(fleet.devices()).allSatisfy(d -> assertThat(d.applied(EVENT, 1))
                    .hasValueSatisfying(u -> assertThat(u.bundleVersion()).isEqualTo("v1")));

            // The listing devices 0 and 1 fetched said max-age=1: once that has passed on the devices' clock,
            // v1 is expired for them; they revalidate with its ETag and keep their copy on 304.
            // Pushed copies carry no max-age: hits.
            deviceClock.advance(Duration.ofSeconds(2));
            publishStage(Stage.LIVE, 2);
            await().atMost(WAIT).until(() -> fleet.bundleCache().notModified() == 2);
            BundleCacheFigures second = fleet.bundleCache();
            assertThat(second.hits()).isEqualTo(4);
            assertThat(second.misses()).isEqualTo(4);
            assertThat(second.expired()).isEqualTo(2);
            assertThat(second.fetched()).as("a 304 fetches nothing anew").isEqualTo(2);
            assertThat(second.fetchFailures()).isZero();
            assertThat(registry.get("kickoff.prefetch.http.not.modified").counter().count()).isEqualTo(2);
            assertThat(fleet.device(0).criticalBundleFetches()).isEqualTo(2);
            assertThat(fleet.countAt(EVENT, Stage.LIVE, 2)).isEqualTo(devices);
        }
    }
}
