package io.kickoff.browser.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kickoff.browser.Chromium;
import io.kickoff.bus.InProcessEventBus;
import io.kickoff.bus.Topic;
import io.kickoff.lsm.LiveStateManager;
import io.kickoff.lsm.api.AdminToken;
import io.kickoff.lsm.client.AdminClient;
import io.kickoff.lsm.client.NewEventRequest;
import io.kickoff.lsm.event.InMemoryEventStore;
import io.kickoff.lsm.idempotency.InMemoryIdempotency;
import io.kickoff.lsm.store.InMemoryLeaderLease;
import io.kickoff.protocol.Timestamps;
import io.kickoff.protocol.v1.AudienceSnapshot;
import io.kickoff.protocol.v1.BroadcastPlays;
import io.kickoff.protocol.v1.Stage;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The console's audience curve in a real Chromium: a Live State Manager whose bus carries audience snapshots, as the
 * audience service publishes them, shows the event's viewers over the last hour (a line per segment and the total),
 * what its LIVE broadcast turned into, and follows new snapshots as they come. (Memory mode, which has no audience,
 * is in ConsoleIT.)
 */
@ExtendWith(Chromium.class)
class ConsoleAudienceIT {
    static final String VIEWER = "victor-viewer-token-0002";
    static final String OPERATOR = "alice-operator-token-0002";
    static final String EVENT = "ev-audience";

    final Clock clock = Clock.systemUTC();
    InProcessEventBus bus;
    LiveStateManager lsm;

    @BeforeEach
    void start() throws Exception {
        if (!Chromium.installed()) {
            return; // skipped, with the extension's message
        }
        bus = new InProcessEventBus();
        InMemoryLeaderLease lease = new InMemoryLeaderLease(clock);
        lsm = LiveStateManager.start(LiveStateManager.Config.of("127.0.0.1", 0,
                        Map.of(OPERATOR, AdminToken.operator("alice"), VIEWER, AdminToken.viewer("victor")), "lsm-audience"),
                new InMemoryEventStore(clock, lease::currentEpoch), new InMemoryIdempotency(clock), lease, bus, clock);
    }

    @AfterEach
    void stop() {
        if (lsm != null) {
            lsm.close();
        }
        if (bus != null) {
            bus.close();
        }
    }

    static byte[] snapshot(Instant at, long usEn, long ukEn, Instant liveAt, long plays) {
        AudienceSnapshot.Builder s = AudienceSnapshot.newBuilder().setEventId(EVENT).setAt(Timestamps.of(at))
                .setViewers(usEn + ukEn).putSegments("us-en", usEn).putSegments("uk-en", ukEn);
        if (liveAt != null) {
            s.addBroadcasts(BroadcastPlays.newBuilder().setSeq(2).setStage(Stage.LIVE).setIssuedAt(Timestamps.of(liveAt))
                    .setPlays(plays).setWindowMs(60_000));
        }
        return s.build().toByteArray();
    }

    @Test
    void theEventPageDrawsTheAudienceCurveShowsThePlaysAfterLiveAndFollowsNewSnapshots(Chromium.Browsers browsers)
            throws Exception {
        AdminClient admin = new AdminClient(URI.create("http://127.0.0.1:" + lsm.adminPort()), OPERATOR);
        admin.createEvent(NewEventRequest.of(EVENT, "The Final", clock.instant().plus(Duration.ofHours(2)))
                .withSegments(List.of("us-en", "uk-en")));
        admin.transition(EVENT, Stage.PREFETCH);
        admin.transition(EVENT, Stage.LIVE);
        // The last two minutes of the audience: nobody before LIVE, then a rise in both segments and in plays (the
        // latest snapshot on kickoff.audience is the series' last point, as the audience service publishes them).
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Instant live = now.minusSeconds(60);
        for (int s = 120; s >= 1; s--) {
            Instant at = now.minusSeconds(s);
            long rise = at.isBefore(live) ? 0 : 60 - s + 1;
            bus.publish(Topic.AUDIENCE_SERIES, EVENT, snapshot(at, 8 * rise, 5 * rise, at.isBefore(live) ? null : live,
                    Math.round(790.0 * rise / 60))).join();
        }
        bus.publish(Topic.AUDIENCE, EVENT, snapshot(now.minusSeconds(1), 480, 300, live, 790)).join();

        WebDriver page = ConsoleIT.signedIn(browsers.open(), VIEWER, "http://127.0.0.1:" + lsm.adminPort() + "/console/");
        ConsoleIT.select(page, EVENT);

        await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                .until(() -> page.findElement(By.id("audience-plays")).getText().equals("LIVE \u2192 790 plays in 60 s"));
        assertThat(page.findElement(By.id("audience-now")).getText()).startsWith("780 watching: us-en 480 \u00b7 uk-en 300");
        assertThat(page.findElements(By.cssSelector("#audience-chart .uplot"))).hasSize(1);
        assertThat(page.findElements(By.cssSelector("#audience-chart .u-legend .u-series .u-label")).stream()
                .map(WebElement::getText)).contains("total", "uk-en", "us-en");
        assertThat(page.findElement(By.id("audience-unavailable")).isDisplayed()).isFalse();
        Chromium.Browsers.screenshot(page, "console-audience.png");

        // A new snapshot: the page follows it within its 2 s poll.
        byte[] next = snapshot(now, 600, 300, live, 800);
        bus.publish(Topic.AUDIENCE_SERIES, EVENT, next).join();
        bus.publish(Topic.AUDIENCE, EVENT, next).join();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> page.findElement(By.id("audience-now")).getText().startsWith("900 watching"));
        assertThat(page.findElement(By.id("audience-plays")).getText()).isEqualTo("LIVE \u2192 800 plays in 60 s");
    }
}
