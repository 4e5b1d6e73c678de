package io.kickoff.browser.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kickoff.browser.Chromium;
import io.kickoff.browser.DevicePage;
import io.kickoff.browser.TestPages;
import io.kickoff.launcher.Platform;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The producer console in a real Chromium against a real platform (in memory, wired as {@code kickoff serve} wires
 * it): an operator creates an event, gets a validation error next to the field, moves it to PREFETCH and LIVE with
 * confirmation and watches delivery reach every device, each one a browser page running the device SDK (one of
 * them the home screen the console links to); a stale page gets the 412 explained and nothing applied; a viewer sees
 * no write controls. The screenshots taken here are those in docs/console.md and the README.
 */
@ExtendWith(Chromium.class)
class ConsoleIT {
    static final String OPERATOR = "alice-operator-token-0001";
    static final String VIEWER = "victor-viewer-token-0001";
    /** The example catalog's live event: the prefetch node makes its bundles, so renderings can be shown. */
    static final String CATALOG_EVENT = "ev-ufc-309";
    static final String SEGMENT = "us-en-adult";
    /** Devices on the SDK's test page; the home screen is one more. */
    static final int DEVICE_PAGES = 2;

    static TestPages devicePages;
    static Platform platform;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startPlatform() throws Exception {
        if (!Chromium.installed()) {
            return; // the tests are skipped, with the extension's message
        }
        devicePages = TestPages.sdk();
        // The console reads renderings from the platform's own bundle API, which allows the admin origin by itself;
        // the device pages are of another origin, configured as --cors-origin would be.
        platform = Platform.inMemory(List.of("alice:operator:" + OPERATOR, "victor:viewer:" + VIEWER),
                List.of(devicePages.origin()), Optional.empty());
    }

    @AfterAll
    static void stopPlatform() {
        if (platform != null) {
            platform.close();
        }
        if (devicePages != null) {
            devicePages.close();
        }
    }

    @Test
    void anOperatorCreatesAnEventFixesItsScheduleTakesItLiveAndWatchesDeliveryReachEverySdkDevice(Chromium.Browsers browsers)
            throws Exception {
        WebDriver page = signedIn(browsers.open(), OPERATOR);
        assertThat(text(page, "who-name")).isEqualTo("alice");

        // The devices: the home screen the console links to, which links back, and pages running the SDK.
        String homeScreen = page.findElement(By.id("home-link")).getAttribute("href");
        assertThat(homeScreen).isEqualTo(bundleApi() + "/home/");
        WebDriver home = browsers.open();
        home.get(homeScreen);
        await().atMost(DevicePage.WITHIN).until(() -> home.findElement(By.id("connection")).getText(),
                connection -> connection.startsWith("connected to "));
        assertThat(home.findElement(By.id("console-link")).getAttribute("href")).isEqualTo(console());
        List<DevicePage> devices = new ArrayList<>();
        for (int i = 0; i < DEVICE_PAGES; i++) {
            DevicePage device = new DevicePage(browsers.open(), devicePages.page("device.html"));
            device.start(Map.of("gateway", "ws://127.0.0.1:" + platform.gatewayPort() + "/v1/connect",
                    "token", platform.deviceTokens().issue("console-device-" + i, SEGMENT, Duration.ofHours(1)),
                    "bundleApi", bundleApi()));
            devices.add(device);
        }
        for (DevicePage device : devices) {
            device.awaitSnapshot(s -> s.path("state").path("connection").asText().equals("connected"));
        }
        int targeted = DEVICE_PAGES + 1;

        // Create.
        page.findElement(By.id("new-event")).click();
        type(page, "f-id", CATALOG_EVENT);
        type(page, "f-title", "UFC 309: Jones vs Miocic");
        type(page, "f-scheduled_start", inHours(2));
        type(page, "f-expected_end", inHours(5));
        type(page, "f-segments", SEGMENT);
        page.findElement(By.id("form-save")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> text(page, "detail-id").equals(CATALOG_EVENT));
        await().until(() -> !page.findElements(By.cssSelector("#events tr[data-id='" + CATALOG_EVENT + "']")).isEmpty());
        assertThat(text(page, "detail-stage")).isEqualTo("SCHEDULED");
        assertThat(text(page, "detail-audience")).isEqualTo(SEGMENT);
        assertThat(page.findElement(By.cssSelector("#events tr[data-id='" + CATALOG_EVENT + "'] .countdown")).getText())
                .startsWith("in ");

        // Edit the schedule: a start in the past is refused, and the API's message is shown next to the field.
        page.findElement(By.id("edit-event")).click();
        type(page, "f-scheduled_start", Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS).toString());
        page.findElement(By.id("form-save")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> !text(page, "err-scheduled_start").isEmpty());
        assertThat(text(page, "err-scheduled_start")).contains("is in the past");
        assertThat(page.findElement(By.id("f-scheduled_start")).getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(text(page, "err-title")).isEmpty();
        Chromium.Browsers.screenshot(page, "console-validation.png");
        String fixedStart = inHours(1);
        type(page, "f-scheduled_start", fixedStart);
        page.findElement(By.id("form-save")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> page.findElement(By.id("event-form")).getAttribute("hidden") != null);
        assertThat(event(CATALOG_EVENT)).contains("\"scheduled_start\":\"" + fixedStart + "\"");

        // PREFETCH, with a confirmation naming the event and its audience.
        transition(page, "PREFETCH", confirmation -> assertThat(confirmation)
                .contains("UFC 309: Jones vs Miocic", CATALOG_EVENT, SEGMENT));
        await().atMost(Duration.ofSeconds(10)).until(() -> text(page, "detail-stage").equals("PREFETCH"));
        assertThat(page.findElements(By.cssSelector("#transitions button")).stream().map(b -> b.getAttribute("data-to")))
                .containsExactly("PRE_SHOW", "LIVE", "CANCELLED");

        // What devices will show once LIVE, before the button is pressed.
        By liveRendering = By.cssSelector("#renderings .rendering[data-stage='LIVE']");
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() -> {
            if (!page.findElements(liveRendering).isEmpty()) {
                return true;
            }
            // renderings are read when the event is shown: show it again while the prefetch node makes the bundle
            page.findElement(By.cssSelector("#events tr[data-id='" + CATALOG_EVENT + "']")).click();
            return false;
        });
        assertThat(page.findElement(By.cssSelector("#renderings .rendering[data-stage='LIVE'] .row-title")).getText())
                .isNotBlank();

        // LIVE; the confirmation is in the screenshots.
        transition(page, "LIVE", confirmation -> {
            assertThat(confirmation).contains(CATALOG_EVENT, SEGMENT, "LIVE");
            Chromium.Browsers.screenshot(page, "console-confirm.png");
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> text(page, "detail-stage").equals("LIVE"));

        // Delivery of the LIVE update reaches every device (seq 3: the schedule change and PREFETCH came first).
        String liveSeq = text(page, "detail-seq");
        assertThat(liveSeq).isEqualTo("3");
        for (DevicePage device : devices) {
            device.awaitApplied(CATALOG_EVENT, "LIVE@3");
        }
        await().atMost(DevicePage.WITHIN).until(() -> home.findElement(By.cssSelector("[data-event='" + CATALOG_EVENT
                + "']")).getAttribute("data-stage"), "LIVE"::equals);
        By livePercent = By.cssSelector("#delivery tr[data-seq='3'] .acked-percent");
        await().atMost(DevicePage.WITHIN).ignoreExceptions()
                .until(() -> page.findElement(livePercent).getText().equals("100 %"));
        assertThat(page.findElement(By.cssSelector("#delivery tr[data-seq='3'] .targeted")).getText())
                .isEqualTo(String.valueOf(targeted));
        assertThat(page.findElement(By.cssSelector("#delivery tr[data-seq='3'] .acked")).getText())
                .isEqualTo(String.valueOf(targeted));
        assertThat(page.findElements(By.cssSelector("#delivery-chart .uplot"))).hasSize(1);

        // History names the operator's token.
        await().atMost(Duration.ofSeconds(10)).until(() -> page.findElements(By.cssSelector("#history td.actor")).size() >= 4);
        assertThat(page.findElements(By.cssSelector("#history td.actor")).stream().map(WebElement::getText).distinct())
                .containsExactly("alice");
        Chromium.Browsers.screenshot(page, "console-live.png");
        scrollTo(page, "renderings");
        Chromium.Browsers.screenshot(page, "console-renderings.png");
        Chromium.Browsers.screenshot(home, "home-screen.png");
    }

    @Test
    void aStalePageGetsThe412ExplainedAndNothingIsApplied(Chromium.Browsers browsers) throws Exception {
        String id = "ev-stale-page";
        schedule(id, "Derby", 3, ",\"segments\":[\"us-en-teen\"]");
        WebDriver page = signedIn(browsers.open(), OPERATOR);
        select(page, id);

        // Someone else changes the event behind the page.
        assertThat(api("PATCH", "/v1/events/" + id, "{\"title\":\"Derby (moved)\"}").statusCode()).isEqualTo(200);

        transition(page, "LIVE", confirmation -> assertThat(confirmation).contains("Derby", "us-en-teen"));
        await().atMost(Duration.ofSeconds(10)).until(() -> page.findElement(By.id("banner")).isDisplayed());
        assertThat(text(page, "banner-text")).contains("changed since this page showed it", "Nothing was applied");
        assertThat(event(id)).contains("\"stage\":\"SCHEDULED\"");
        Chromium.Browsers.screenshot(page, "console-stale.png");

        // Reloading shows the current version; the same button then works.
        page.findElement(By.id("banner-reload")).click();
        await().until(() -> text(page, "detail-title").equals("Derby (moved)"));
        transition(page, "PREFETCH", confirmation -> assertThat(confirmation).contains("Derby (moved)"));
        await().atMost(Duration.ofSeconds(10)).until(() -> text(page, "detail-stage").equals("PREFETCH"));
    }

    @Test
    void aViewerSeesEventsAndHistoryButNoWriteControls(Chromium.Browsers browsers) throws Exception {
        String id = "ev-for-viewers";
        schedule(id, "Grand Prix", 4, "");
        WebDriver page = signedIn(browsers.open(), VIEWER);
        assertThat(text(page, "who-role")).isEqualTo("viewer");
        select(page, id);
        await().atMost(Duration.ofSeconds(10)).until(() -> !page.findElements(By.cssSelector("#history td.actor")).isEmpty());
        assertThat(page.findElements(By.cssSelector("#history td.actor")).get(0).getText()).isEqualTo("alice");
        // Memory mode has no Kafka, so no audience: the page says so instead of drawing an empty curve.
        await().atMost(Duration.ofSeconds(10)).until(() -> page.findElement(By.id("audience-unavailable")).isDisplayed());
        assertThat(text(page, "audience-unavailable")).contains("audience needs Kafka");
        assertThat(page.findElements(By.cssSelector("#audience-chart .uplot"))).isEmpty();

        assertThat(page.findElements(By.id("new-event"))).isEmpty();
        assertThat(page.findElements(By.id("edit-event"))).isEmpty();
        assertThat(page.findElements(By.id("transitions"))).isEmpty();
        assertThat(page.findElements(By.cssSelector("#detail-pane button")).stream().filter(WebElement::isDisplayed)
                .map(WebElement::getText)).doesNotContain("Go LIVE", "Move to PREFETCH", "Move to CANCELLED");
        Chromium.Browsers.screenshot(page, "console-viewer.png");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aWriteWhoseAnswerIsLostIsRetriedWithTheSameIdempotencyKeyAndAppliedOnce(Chromium.Browsers browsers) throws Exception {
        WebDriver page = signedIn(browsers.open(), OPERATOR);
        // The console's own API client, over a connection that loses the first answer after the server applied it.
        Map<String, Object> outcome = (Map<String, Object>) ((JavascriptExecutor) page).executeAsyncScript("""
                const start = arguments[0];
                const done = arguments[arguments.length - 1];
                import('./api.js').then(async ({ call }) => {
                  const keys = [];
                  let attempts = 0;
                  const lossy = async (path, init) => {
                    keys.push(init.headers['Idempotency-Key']);
                    const answer = await fetch(path, init);
                    if (attempts++ === 0) throw new TypeError('connection lost');
                    return answer;
                  };
                  const body = { id: 'ev-lost-answer', title: 'Lost answer', scheduled_start: start };
                  try {
                    const created = await call('POST', '/v1/events', { body, write: true, fetcher: lossy });
                    done({ keys, status: created.status, replayed: created.replayed, id: created.body.id });
                  } catch (e) {
                    done({ keys, error: String(e) });
                  }
                });
                """, inHours(6));
        assertThat(outcome).as(String.valueOf(outcome)).containsEntry("status", 201L).containsEntry("replayed", true)
                .containsEntry("id", "ev-lost-answer");
        List<String> keys = (List<String>) outcome.get("keys");
        assertThat(keys).hasSize(2);
        assertThat(keys.get(0)).startsWith("console-").isEqualTo(keys.get(1));
        assertThat(history("ev-lost-answer")).as("created once").containsOnlyOnce("\"reason\":\"created\"");
    }

    @Test
    void anUnknownTokenIsRefusedAtSignInAndNotKept(Chromium.Browsers browsers) {
        WebDriver page = browsers.open();
        page.get(console());
        type(page, "token", "not-a-token-of-this-server");
        page.findElement(By.id("sign-in-button")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> !text(page, "sign-in-error").isEmpty());
        assertThat(text(page, "sign-in-error")).contains("not one of this server");
        assertThat(((JavascriptExecutor) page).executeScript("return sessionStorage.length")).isEqualTo(0L);
        assertThat(page.getCurrentUrl()).doesNotContain("token");
    }

    // ---- helpers ----

    static String bundleApi() {
        return "http://127.0.0.1:" + platform.bundlePort();
    }

    static String console() {
        return "http://127.0.0.1:" + platform.adminPort() + "/console/";
    }

    static WebDriver signedIn(WebDriver page, String token) {
        return signedIn(page, token, console());
    }

    /** Signs in to the console at {@code consoleUrl}. */
    static WebDriver signedIn(WebDriver page, String token, String consoleUrl) {
        page.get(consoleUrl);
        await().atMost(Duration.ofSeconds(10)).until(() -> page.findElement(By.id("token")).isDisplayed());
        type(page, "token", token);
        page.findElement(By.id("sign-in-button")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> page.findElement(By.id("app")).isDisplayed());
        // the token is in this tab's session storage, not in the URL or a cookie
        assertThat(page.getCurrentUrl()).doesNotContain(token);
        assertThat(page.manage().getCookies()).isEmpty();
        return page;
    }

    static void select(WebDriver page, String id) {
        By row = By.cssSelector("#events tr[data-id='" + id + "']");
        await().atMost(Duration.ofSeconds(10)).until(() -> !page.findElements(row).isEmpty());
        await().ignoreExceptions().until(() -> {
            page.findElement(row).click();
            return text(page, "detail-id").equals(id);
        });
    }

    interface Confirmation {
        void check(String text) throws Exception;
    }

    /** Presses the transition button, checks the confirmation dialog's text, confirms. */
    static void transition(WebDriver page, String to, Confirmation check) throws Exception {
        page.findElement(By.cssSelector("#transitions button[data-to='" + to + "']")).click();
        await().atMost(Duration.ofSeconds(5)).until(() -> page.findElement(By.id("confirm")).isDisplayed());
        check.check(text(page, "confirm-title") + " " + text(page, "confirm-text"));
        page.findElement(By.id("confirm-ok")).click();
    }

    static void scrollTo(WebDriver page, String id) {
        ((JavascriptExecutor) page).executeScript("document.getElementById(arguments[0]).scrollIntoView()", id);
    }

    static void type(WebDriver page, String id, String value) {
        WebElement input = page.findElement(By.id(id));
        input.clear();
        input.sendKeys(value);
    }

    static String text(WebDriver page, String id) {
        return page.findElement(By.id(id)).getText();
    }

    static String inHours(int hours) {
        return Instant.now().plus(hours, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** Creates an event through the API, behind the page's back; {@code more} is more JSON fields, e.g. segments. */
    static void schedule(String id, String title, int hoursAhead, String more) throws Exception {
        assertThat(api("POST", "/v1/events", "{\"id\":\"" + id + "\",\"title\":\"" + title + "\",\"scheduled_start\":\""
                + inHours(hoursAhead) + "\"" + more + "}").statusCode()).isEqualTo(201);
    }

    static HttpResponse<String> api(String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + platform.adminPort() + path))
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + OPERATOR).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String history(String id) throws Exception {
        return event(id + "/history");
    }

    static String event(String id) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + platform.adminPort() + "/v1/events/" + id))
                .header("Authorization", "Bearer " + VIEWER).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
