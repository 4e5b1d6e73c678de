package io.kickoff.browser.sdk;

import static io.kickoff.browser.sdk.SdkPlatform.EVENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kickoff.browser.Chromium;
import io.kickoff.browser.DevicePage;
import io.kickoff.gateway.GatewayConfig;
import io.kickoff.protocol.v1.PlaybackState;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.Viewing;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The demo home screen, served by the bundle API: several pages as devices switch a row to "Live now". (Its screenshot
 * is taken by the console's test, where the home screen is wired as in {@code kickoff serve}.)
 */
@ExtendWith(Chromium.class)
class HomeScreenIT {
    static final String ARTWORK = "https://img.example.com/art/ufc-309.jpg";

    @TempDir
    Path catalogDir;
    SdkPlatform platform;

    @AfterEach
    void stop() {
        if (platform != null) {
            platform.close();
        }
    }

    static Object script(WebDriver page, String script) {
        return ((JavascriptExecutor) page).executeScript(script);
    }

    static String row(WebDriver page, String attribute) {
        List<WebElement> rows = page.findElements(By.cssSelector("[data-event='" + EVENT + "']"));
        return rows.isEmpty() ? null : rows.get(0).getAttribute(attribute);
    }

    @Test
    void severalPagesReceiveLiveAndRenderItFromTheCachedBundle(Chromium.Browsers browsers) throws Exception {
        AtomicInteger served = new AtomicInteger();
        // What kickoff serve offers with the development secret: a fresh device token per config.json.
        platform = new SdkPlatform(catalogDir, g -> g.bundlePushWindow(Duration.ofSeconds(1)),
                api -> api.withHomeConfig(() -> "{\"gateway\":\"" + platform.gatewayUrl() + "\",\"token\":\""
                        + platform.token("home-" + served.incrementAndGet()) + "\",\"secretId\":\"test\"}"));
        List<WebDriver> pages = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            WebDriver page = browsers.open();
            page.get(platform.bundleApiUrl() + "/home/");
            pages.add(page);
        }
        for (WebDriver page : pages) {
            await().atMost(DevicePage.WITHIN).until(() -> page.findElement(By.id("connection")).getText(),
                    text -> text.startsWith("connected to gw-browser"));
        }
        assertThat(served).hasValue(3);

        platform.createEvent();
        platform.transition(Stage.PREFETCH);
        for (WebDriver page : pages) {
            await().atMost(DevicePage.WITHIN).until(() -> script(page,
                    "return window.kickoffDevice.bundle('" + EVENT + "') !== null"), Boolean.TRUE::equals);
            assertThat(page.findElement(By.cssSelector("[data-event='" + EVENT + "'] h2")).getText())
                    .startsWith("Coming up: UFC 309");
        }

        // (A page may have fetched at PREFETCH, if the update named the bundle before its paced push landed.)
        List<Object> fetchesBeforeLive = new ArrayList<>();
        for (WebDriver page : pages) {
            fetchesBeforeLive.add(script(page, "return window.kickoffDevice.stats.criticalFetches"));
        }
        platform.transition(Stage.LIVE);
        for (WebDriver page : pages) {
            await().atMost(DevicePage.WITHIN).until(() -> row(page, "data-stage"), "LIVE"::equals);
            assertThat(row(page, "data-source")).as("rendered from the cache, no request").isEqualTo("cache");
            assertThat(row(page, "data-seq")).isEqualTo("2");
            WebElement live = page.findElement(By.cssSelector("[data-event='" + EVENT + "']"));
            assertThat(live.findElement(By.tagName("h2")).getText()).startsWith("Live now: UFC 309");
            assertThat(live.findElement(By.cssSelector(".card img")).getAttribute("src")).isEqualTo(ARTWORK);
            assertThat(live.findElement(By.cssSelector(".cta")).getText()).isEqualTo("Watch live");
            assertThat(script(page, "return window.kickoffDevice.stats.criticalFetches"))
                    .as("LIVE needs no request").isEqualTo(fetchesBeforeLive.get(pages.indexOf(page)));
        }
    }

    @Test
    void playOnTheLiveRowSendsPlayingAndHeartbeatsAndStopSendsStopped(Chromium.Browsers browsers) throws Exception {
        platform = new SdkPlatform(catalogDir, g -> g.viewing(new GatewayConfig.ViewingSignals(Duration.ofMillis(500),
                        Duration.ofMillis(50), 1_000, 100_000)),
                api -> api.withHomeConfig(() -> "{\"gateway\":\"" + platform.gatewayUrl() + "\",\"token\":\""
                        + platform.token("home-viewer") + "\",\"secretId\":\"test\"}"));
        platform.createEvent();
        platform.transition(Stage.PREFETCH);
        platform.transition(Stage.LIVE);
        WebDriver page = browsers.open();
        page.get(platform.bundleApiUrl() + "/home/");
        await().atMost(DevicePage.WITHIN).until(() -> row(page, "data-stage"), "LIVE"::equals);
        WebElement play = page.findElement(By.cssSelector("[data-event='" + EVENT + "'] button.play"));
        assertThat(play.getText()).isEqualTo("▶ Play");
        assertThat(row(page, "data-playing")).isEqualTo("false");

        play.click();
        await().atMost(DevicePage.WITHIN).until(() -> platform.viewing("home-viewer", EVENT), v -> v.size() >= 2);
        assertThat(platform.viewing("home-viewer", EVENT)).as("PLAYING, then a heartbeat")
                .allSatisfy(v -> assertThat(v.getState()).isEqualTo(PlaybackState.PLAYING))
                .extracting(Viewing::getSessionId).containsOnly(platform.viewing("home-viewer", EVENT).get(0).getSessionId());
        assertThat(row(page, "data-playing")).isEqualTo("true");
        WebElement live = page.findElement(By.cssSelector("[data-event='" + EVENT + "']"));
        assertThat(live.findElement(By.cssSelector(".playing")).getText()).isEqualTo("Playing");
        assertThat(live.findElement(By.cssSelector("button.play")).getText()).isEqualTo("■ Stop");

        live.findElement(By.cssSelector("button.play")).click();
        await().atMost(DevicePage.WITHIN).until(() -> platform.viewing("home-viewer", EVENT),
                v -> v.get(v.size() - 1).getState() == PlaybackState.STOPPED);
        assertThat(row(page, "data-playing")).isEqualTo("false");
        assertThat(live.findElement(By.cssSelector(".playing")).isDisplayed()).isFalse();
    }

    @Test
    void withoutAnOfferThePageSaysItHasNoDeviceToken(Chromium.Browsers browsers) throws Exception {
        platform = new SdkPlatform(catalogDir, g -> g, api -> api);
        WebDriver page = browsers.open();
        page.get(platform.bundleApiUrl() + "/home/");
        await().atMost(DevicePage.WITHIN).until(() -> page.findElement(By.id("connection")).getText(),
                "no device token"::equals);
        assertThat(page.findElement(By.id("problem")).getText()).contains("--offer-home-tokens");
    }
}
