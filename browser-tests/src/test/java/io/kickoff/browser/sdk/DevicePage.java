package io.kickoff.browser.sdk;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

/** One browser as one device: the test page ({@code device.html}) running the SDK, and what it saw. */
final class DevicePage {
    static final Duration WITHIN = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    final WebDriver driver;

    DevicePage(WebDriver driver, String url) {
        this.driver = driver;
        load(url);
    }

    /** Loads (or reloads) the page; the SDK is not started. */
    void load(String url) {
        driver.get(url);
        await().atMost(WITHIN).until(() -> driver.getTitle().equals("sdk device ready"));
    }

    Object script(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Starts the SDK with these options (the page adds callbacks that record what happens). */
    void start(Map<String, Object> options) {
        script("return kickoffTest.start(arguments[0])", options);
    }

    JsonNode snapshot() {
        try {
            return JSON.readTree((String) script("return kickoffTest.snapshot()"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The stage applied for an event and its seq, e.g. {@code LIVE@3}, or null. */
    String applied(String eventId) {
        JsonNode event = snapshot().path("state").path("events").path(eventId);
        return event.isMissingNode() ? null : event.path("stage").asText() + "@" + event.path("seq").asText();
    }

    long stat(String name) {
        return snapshot().path("stats").path(name).asLong();
    }

    /** Every onStage the page saw for the event, in order. */
    List<JsonNode> stages(String eventId) {
        List<JsonNode> stages = new ArrayList<>();
        snapshot().path("log").path("stages").forEach(s -> {
            if (s.path("eventId").asText().equals(eventId)) {
                stages.add(s);
            }
        });
        return stages;
    }

    List<JsonNode> connections() {
        List<JsonNode> all = new ArrayList<>();
        snapshot().path("log").path("connections").forEach(all::add);
        return all;
    }

    void awaitApplied(String eventId, String stageAtSeq) {
        await().atMost(WITHIN).until(() -> applied(eventId), stageAtSeq::equals);
    }

    void awaitSnapshot(Predicate<JsonNode> condition) {
        await().atMost(WITHIN).until(this::snapshot, condition);
    }
}
