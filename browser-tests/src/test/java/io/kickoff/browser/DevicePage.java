package io.kickoff.browser;

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

/**
 * One browser as one device: the SDK's test page ({@code device.html} of {@link TestPages#sdk()}) running the SDK,
 * and what it saw.
 */
public final class DevicePage {
    public static final Duration WITHIN = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    public final WebDriver driver;

    public DevicePage(WebDriver driver, String url) {
        this.driver = driver;
        load(url);
    }

    /** Loads (or reloads) the page; the SDK is not started. */
    public void load(String url) {
        driver.get(url);
        await().atMost(WITHIN).until(() -> driver.getTitle().equals("sdk device ready"));
    }

    public Object script(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Starts the SDK with these options (the page adds callbacks that record what happens). */
    public void start(Map<String, Object> options) {
        script("return kickoffTest.start(arguments[0])", options);
    }

    public JsonNode snapshot() {
        try {
            return JSON.readTree((String) script("return kickoffTest.snapshot()"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The stage applied for an event and its seq, e.g. {@code LIVE@3}, or null. */
    public String applied(String eventId) {
        JsonNode event = snapshot().path("state").path("events").path(eventId);
        return event.isMissingNode() ? null : event.path("stage").asText() + "@" + event.path("seq").asText();
    }

    public long stat(String name) {
        return snapshot().path("stats").path(name).asLong();
    }

    /** Every onStage the page saw for the event, in order. */
    public List<JsonNode> stages(String eventId) {
        List<JsonNode> stages = new ArrayList<>();
        snapshot().path("log").path("stages").forEach(s -> {
            if (s.path("eventId").asText().equals(eventId)) {
                stages.add(s);
            }
        });
        return stages;
    }

    public List<JsonNode> connections() {
        List<JsonNode> all = new ArrayList<>();
        snapshot().path("log").path("connections").forEach(all::add);
        return all;
    }

    public void awaitApplied(String eventId, String stageAtSeq) {
        await().atMost(WITHIN).until(() -> applied(eventId), stageAtSeq::equals);
    }

    public void awaitSnapshot(Predicate<JsonNode> condition) {
        await().atMost(WITHIN).until(this::snapshot, condition);
    }
}
