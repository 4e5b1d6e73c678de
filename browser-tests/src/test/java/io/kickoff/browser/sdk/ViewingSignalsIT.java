package io.kickoff.browser.sdk;

import static io.kickoff.browser.sdk.SdkPlatform.EVENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kickoff.browser.Chromium;
import io.kickoff.browser.DevicePage;
import io.kickoff.browser.TestPages;
import io.kickoff.gateway.GatewayConfig;
import io.kickoff.protocol.Timestamps;
import io.kickoff.protocol.v1.PlaybackState;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.Viewing;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK's viewing signals (protocol §6a) in Chromium against a real gateway, as the gateway publishes them on the
 * bus topic {@code kickoff.viewing}.
 */
@ExtendWith(Chromium.class)
class ViewingSignalsIT {
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

    void start(Duration viewingHeartbeat) throws InterruptedException {
        pages = TestPages.sdk();
        // Short reconnects and Retry-After keep the restart short; signals are flushed to the bus every 50 ms.
        platform = new SdkPlatform(catalogDir, g -> g.reconnect(Duration.ofMillis(200), Duration.ofSeconds(2))
                        .retryAfter(Duration.ofSeconds(1), Duration.ofSeconds(1))
                        .viewing(new GatewayConfig.ViewingSignals(viewingHeartbeat, Duration.ofMillis(50), 1_000, 100_000)),
                api -> api.withCorsOrigins(List.of(pages.origin())));
    }

    DevicePage device(Chromium.Browsers browsers, String id) {
        DevicePage page = new DevicePage(browsers.open(), pages.page("device.html"));
        page.start(Map.of("gateway", platform.gatewayUrl(), "token", platform.token(id), "bundleApi", platform.bundleApiUrl()));
        page.awaitSnapshot(s -> s.path("state").path("connection").asText().equals("connected"));
        return page;
    }

    static long at(Viewing viewing) {
        return Timestamps.toInstant(viewing.getAt()).toEpochMilli();
    }

    @Test
    void playingSendsPlayingThenHeartbeatsAtTheWelcomesIntervalThenStopped(Chromium.Browsers browsers) throws Exception {
        Duration interval = Duration.ofMillis(500);
        start(interval);
        DevicePage page = device(browsers, "viewer-1");

        page.script("window.device.playing(arguments[0], {positionMs: 60000, sessionId: 'play-1'})", EVENT);
        // PLAYING and three heartbeats: 1.5 s at the welcome's 500 ms; the default 10 s would take 30 s.
        await().atMost(Duration.ofSeconds(10)).until(() -> platform.viewing("viewer-1", EVENT), v -> v.size() >= 4);
        List<Viewing> playing = platform.viewing("viewer-1", EVENT);
        assertThat(playing).allSatisfy(v -> {
            assertThat(v.getState()).isEqualTo(PlaybackState.PLAYING);
            assertThat(v.getSessionId()).isEqualTo("play-1");
            assertThat(v.getSegment()).isEqualTo(SdkPlatform.SEGMENT);
        });
        assertThat(playing.get(0).getPositionMs()).isBetween(60_000L, 61_000L);
        for (int i = 1; i < playing.size(); i++) {
            assertThat(playing.get(i).getPositionMs()).as("the position advances").isGreaterThan(playing.get(i - 1).getPositionMs());
            assertThat(at(playing.get(i)) - at(playing.get(i - 1))).as("heartbeats are not sent faster than the interval")
                    .isGreaterThanOrEqualTo(interval.toMillis() / 2);
        }

        page.script("window.device.stopped(arguments[0])", EVENT);
        await().atMost(DevicePage.WITHIN).until(() -> platform.viewing("viewer-1", EVENT),
                v -> v.get(v.size() - 1).getState() == PlaybackState.STOPPED);
        int untilStopped = platform.viewing("viewer-1", EVENT).size();
        // Another playback's PLAYING and two heartbeats prove two intervals passed: the stopped one sent nothing more.
        page.script("window.device.playing('other-event', {sessionId: 'play-2'})");
        await().atMost(DevicePage.WITHIN).until(() -> platform.viewing("viewer-1", "other-event"), v -> v.size() >= 3);
        assertThat(platform.viewing("viewer-1", EVENT)).hasSize(untilStopped);
        assertThat(page.snapshot().path("log").path("errors")).isEmpty();
        assertThat(page.snapshot().path("stats").path("welcomes").asInt()).as("never closed by the gateway").isEqualTo(1);
    }

    @Test
    void afterAReconnectAPlayingDeviceSendsPlayingAgainAndStopsAtEnded(Chromium.Browsers browsers) throws Exception {
        // No heartbeat during the test: every PLAYING on the bus is a change of state or a new connection's.
        start(Duration.ofMinutes(5));
        platform.createEvent();
        platform.transition(Stage.PREFETCH);
        platform.transition(Stage.LIVE);
        DevicePage page = device(browsers, "viewer-2");
        page.awaitApplied(EVENT, "LIVE@2");

        page.script("window.device.playing(arguments[0], {positionMs: 0, sessionId: 'play-3'})", EVENT);
        await().atMost(DevicePage.WITHIN).until(() -> platform.viewing("viewer-2", EVENT), v -> v.size() == 1);

        platform.restartGateway(() -> { });
        page.awaitSnapshot(s -> s.path("stats").path("welcomes").asInt() == 2);
        await().atMost(DevicePage.WITHIN).until(() -> platform.viewing("viewer-2", EVENT), v -> v.size() == 2);
        Viewing again = platform.viewing("viewer-2", EVENT).get(1);
        assertThat(again.getState()).isEqualTo(PlaybackState.PLAYING);
        assertThat(again.getSessionId()).as("the same playback").isEqualTo("play-3");
        assertThat(again.getPositionMs()).isGreaterThan(platform.viewing("viewer-2", EVENT).get(0).getPositionMs());

        platform.transition(Stage.ENDED);
        await().atMost(DevicePage.WITHIN).until(() -> platform.viewing("viewer-2", EVENT), v -> v.size() == 3);
        Viewing ended = platform.viewing("viewer-2", EVENT).get(2);
        assertThat(ended.getState()).isEqualTo(PlaybackState.STOPPED);
        assertThat(ended.getSessionId()).isEqualTo("play-3");
        assertThat(page.script("return window.device.playback(arguments[0])", EVENT)).isNull();
    }
}
