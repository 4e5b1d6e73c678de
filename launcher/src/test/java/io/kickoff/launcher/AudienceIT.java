package io.kickoff.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.InvalidProtocolBufferException;
import io.kickoff.bus.StartFrom;
import io.kickoff.bus.Subscription;
import io.kickoff.bus.Topic;
import io.kickoff.gateway.GatewayConfig;
import io.kickoff.lsm.client.AdminClient;
import io.kickoff.lsm.client.NewEventRequest;
import io.kickoff.protocol.v1.AudienceSnapshot;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.simulator.DeviceFleet;
import io.kickoff.simulator.FleetConfig;
import io.kickoff.simulator.PlayPlan;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The live audience as {@code serve} runs it: a platform on a real Kafka (embedded mode) with its audience instance,
 * simulated devices in two segments of which some play once the event is LIVE and stop at ENDED, and the audience read
 * back from {@code kickoff.audience} through the event bus.
 */
class AudienceIT {
    static final Duration WAIT = Duration.ofSeconds(90);
    static final String EVENT = "audience-final";

    @Test
    void theAudienceOfALiveEventIsItsPlayingDevicesBySegmentAndZeroOnceItEnds() throws Exception {
        PlatformOptions options = PlatformOptions.inMemoryOnFreePorts(List.of(PlatformOptions.DEV_ADMIN_TOKEN),
                PlatformOptions.DEV_TOKEN_SECRET);
        options.mode = Mode.embedded;
        // Heartbeats every second: a device is gone after two missed, so the test is short in wall time.
        GatewayConfig.ViewingSignals viewing = new GatewayConfig.ViewingSignals(Duration.ofSeconds(1),
                Duration.ofMillis(100), 100, 10_000);
        Path stateDir;
        Map<String, AudienceSnapshot> latest = new ConcurrentHashMap<>();
        try (Platform platform = Platform.start(options, GatewayConfig.WarmUp.OFF, b -> b.viewing(viewing))) {
            assertThat(platform.audience()).isPresent();
            stateDir = platform.audience().orElseThrow().stateDir();
            // It counts by the interval the gateway tells devices: gone after two missed heartbeats of 1 s.
            assertThat(platform.audience().orElseThrow().settings().goneAfterMs()).isEqualTo(2_000);
            Subscription snapshots = platform.infrastructure().bus("audience-it").subscribe(Topic.AUDIENCE,
                    StartFrom.BEGINNING, record -> latest.put(record.key(), parse(record.value())));
            URI gateway = URI.create("ws://127.0.0.1:" + platform.gatewayPort() + "/v1/connect");
            // us-en: 6 devices, the first 3 play; uk-en: 4 devices, the first 2 play.
            try (DeviceFleet us = fleet(platform, gateway, "us-", "us-en", 6);
                 DeviceFleet uk = fleet(platform, gateway, "uk-", "uk-en", 4)) {
                us.connectAll();
                uk.connectAll();
                java.util.concurrent.CompletableFuture.allOf(us.whenAllWelcomed(), uk.whenAllWelcomed()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                await().atMost(WAIT).until(() -> platform.audience().orElseThrow().service().isReady());

                AdminClient admin = new AdminClient(URI.create("http://127.0.0.1:" + platform.adminPort()),
                        PlatformOptions.DEV_ADMIN_TOKEN);
                assertThat(admin.createEvent(NewEventRequest.of(EVENT, "Final", Instant.parse("2099-01-01T00:00:00Z")))
                        .status()).isEqualTo(201);
                assertThat(admin.transition(EVENT, Stage.PRE_SHOW).status()).isEqualTo(200);
                assertThat(admin.transition(EVENT, Stage.LIVE).status()).isEqualTo(200);

                await().atMost(WAIT).untilAsserted(() -> {
                    AudienceSnapshot now = latest.get(EVENT);
                    assertThat(now).isNotNull();
                    assertThat(now.getViewers()).isEqualTo(5);
                    assertThat(now.getSegmentsMap()).containsOnly(Map.entry("us-en", 3L), Map.entry("uk-en", 2L));
                });
                // Still 5 after several heartbeat intervals: heartbeats keep them counted, and count once.
                await().pollDelay(Duration.ofSeconds(3)).atMost(WAIT)
                        .untilAsserted(() -> assertThat(latest.get(EVENT).getViewers()).isEqualTo(5));
                assertThat(latest.get(EVENT).getBroadcastsList()).anySatisfy(b -> {
                    assertThat(b.getStage()).isEqualTo(Stage.LIVE);
                    assertThat(b.getPlays()).isEqualTo(5);
                });

                assertThat(admin.transition(EVENT, Stage.ENDED).status()).isEqualTo(200);
                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(latest.get(EVENT).getViewers()).isZero();
                    assertThat(latest.get(EVENT).getSegmentsMap().values()).allMatch(v -> v == 0);
                });
            } finally {
                snapshots.close();
            }
        }
        // Embedded mode leaves nothing behind: the broker's data and the audience's stores go with it.
        assertThat(Files.exists(stateDir)).as(stateDir.toString()).isFalse();
    }

    @Test
    void inMemoryModeHasNoAudienceAndItsBannerSaysItNeedsKafka() throws Exception {
        try (Platform platform = Platform.inMemory(List.of(PlatformOptions.DEV_ADMIN_TOKEN), List.of(),
                java.util.Optional.empty())) {
            assertThat(platform.audience()).isEmpty();
            java.io.StringWriter text = new java.io.StringWriter();
            PlatformOptions options = PlatformOptions.inMemoryOnFreePorts(List.of(PlatformOptions.DEV_ADMIN_TOKEN),
                    PlatformOptions.DEV_TOKEN_SECRET);
            Banner.print(new java.io.PrintWriter(text), options, platform);
            assertThat(text.toString()).contains("audience      none: it runs on Kafka (--mode embedded or external)");
        }
    }

    static DeviceFleet fleet(Platform platform, URI gateway, String prefix, String segment, int devices) {
        return DeviceFleet.open(FleetConfig.builder().gateways(List.of(gateway)).devices(devices)
                .signedDevices(prefix, segment, platform.deviceTokens(), Duration.ofHours(1))
                .play(new PlayPlan(0.5, Duration.ZERO)).build());
    }

    static AudienceSnapshot parse(byte[] value) {
        try {
            return AudienceSnapshot.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}
