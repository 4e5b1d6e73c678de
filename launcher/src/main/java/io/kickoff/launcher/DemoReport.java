package io.kickoff.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a demo run showed, filled in phase by phase as the story goes (a run that stops early leaves the later phases
 * null), written by {@code --report FILE} as JSON. Times on the timeline are milliseconds since the demo started.
 */
final class DemoReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Where to watch the run; null: that page is not served. */
    record Addresses(String adminApi, String console, String homeScreen, String deviceSocket, String bundleApi) {
    }

    /** @param connectMs from the first dial to the last device's welcome */
    record Connect(long welcomed, Long connectMs, Map<String, Long> failures, long reconnects) {
    }

    /** @param coverageMs from the PREFETCH transition until every device held the bundle (null: not every one did) */
    record Prefetch(long holding, Long coverageMs) {
    }

    /**
     * @param reached         devices at LIVE's seq or later
     * @param timeTo100Ms     from LIVE's {@code issued_at} until the last device had it (null: not every device did)
     * @param bundleCacheHits devices that held the bundle LIVE named when LIVE arrived: they render with no request
     * @param criticalFetches bundle fetches the LIVE update caused (devices without the bundle it named)
     */
    record Live(long reached, long applied, Double p50Ms, Double p99Ms, Double maxMs, Double timeTo100Ms,
            long bundleCacheHits, long criticalFetches) {
    }

    record Ended(long reached, Double timeTo100Ms) {
    }

    /**
     * The audience after LIVE, as the admin API answered it.
     *
     * @param players         devices that played (the play share of the fleet)
     * @param expected        segment → players in it
     * @param viewers         viewers the API answered last
     * @param segments        segment → viewers the API answered last
     * @param livePlays       plays the API counted within the play window after LIVE
     * @param convergedMs     from LIVE until the audience was exactly the players (null: it never was)
     */
    record Audience(long players, Map<String, Long> expected, long viewers, Map<String, Long> segments, long livePlays,
            Long convergedMs) {
    }

    private final String mode;
    private final String event;
    private final List<String> segments;
    private final int devices;
    private final Map<String, Long> timeline = new LinkedHashMap<>();
    private Addresses addresses;
    private Connect connect;
    private Prefetch prefetch;
    private Live live;
    private Ended ended;
    private Audience audience;
    private Long audienceAfterEnded;
    private String failure;

    DemoReport(String mode, String event, List<String> segments, int devices) {
        this.mode = mode;
        this.event = event;
        this.segments = List.copyOf(segments);
        this.devices = devices;
    }

    /** A step of the timeline ({@code services_up}, {@code connected}, ...) reached this many ms after the start. */
    void at(String step, long elapsedMs) {
        timeline.put(step, elapsedMs);
    }

    void addresses(Addresses addresses) {
        this.addresses = addresses;
    }

    void connect(Connect connect) {
        this.connect = connect;
    }

    void prefetch(Prefetch prefetch) {
        this.prefetch = prefetch;
    }

    void live(Live live) {
        this.live = live;
    }

    void ended(Ended ended) {
        this.ended = ended;
    }

    void audience(Audience audience) {
        this.audience = audience;
    }

    /** Viewers the API answered once every player had stopped (-1: no answer). */
    void audienceAfterEnded(long viewers) {
        this.audienceAfterEnded = viewers;
    }

    Audience audience() {
        return audience;
    }

    Long audienceAfterEnded() {
        return audienceAfterEnded;
    }

    /** Step → milliseconds since the start, in the order reached. */
    Map<String, Long> timeline() {
        return Map.copyOf(timeline);
    }

    /** The run failed, for this one-line reason. */
    void failed(String reason) {
        this.failure = reason;
    }

    boolean ok() {
        return failure == null;
    }

    String failure() {
        return failure;
    }

    Connect connect() {
        return connect;
    }

    Prefetch prefetch() {
        return prefetch;
    }

    Live live() {
        return live;
    }

    ObjectNode toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("ok", ok());
        root.put("exit_code", ok() ? 0 : 1);
        root.put("reason", failure);
        root.put("mode", mode);
        root.put("event", event);
        root.set("segments", JSON.valueToTree(segments));
        root.put("devices", devices);
        root.set("addresses", JSON.valueToTree(addresses == null ? null : snake(addresses)));
        ObjectNode steps = root.putObject("timeline_ms");
        timeline.forEach(steps::put);
        if (connect == null) {
            root.putNull("connect");
        } else {
            ObjectNode c = root.putObject("connect");
            c.put("welcomed", connect.welcomed());
            c.put("connect_ms", connect.connectMs());
            c.set("failures", JSON.valueToTree(connect.failures()));
            c.put("reconnects", connect.reconnects());
        }
        if (prefetch == null) {
            root.putNull("prefetch");
        } else {
            ObjectNode p = root.putObject("prefetch");
            p.put("holding_bundle", prefetch.holding());
            p.put("coverage_ms", prefetch.coverageMs());
        }
        if (live == null) {
            root.putNull("live");
        } else {
            ObjectNode l = root.putObject("live");
            l.put("reached", live.reached());
            l.put("applied", live.applied());
            putMillis(l, "p50_ms", live.p50Ms());
            putMillis(l, "p99_ms", live.p99Ms());
            putMillis(l, "max_ms", live.maxMs());
            putMillis(l, "time_to_100_ms", live.timeTo100Ms());
            l.put("bundle_cache_hits", live.bundleCacheHits());
            l.put("critical_fetches_after_live", live.criticalFetches());
        }
        if (ended == null) {
            root.putNull("ended");
        } else {
            ObjectNode e = root.putObject("ended");
            e.put("reached", ended.reached());
            putMillis(e, "time_to_100_ms", ended.timeTo100Ms());
        }
        if (audience == null) {
            root.putNull("audience");
        } else {
            ObjectNode a = root.putObject("audience");
            a.put("players", audience.players());
            a.set("expected_segments", JSON.valueToTree(audience.expected()));
            a.put("viewers", audience.viewers());
            a.set("segments", JSON.valueToTree(audience.segments()));
            a.put("live_plays", audience.livePlays());
            a.put("converged_ms", audience.convergedMs());
            a.put("viewers_after_ended", audienceAfterEnded);
        }
        return root;
    }

    void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, JSON.writeValueAsString(toJson()) + System.lineSeparator());
    }

    private static Map<String, String> snake(Addresses a) {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("admin_api", a.adminApi());
        map.put("console", a.console());
        map.put("home_screen", a.homeScreen());
        map.put("device_socket", a.deviceSocket());
        map.put("bundle_api", a.bundleApi());
        return map;
    }

    /** Milliseconds to the microsecond; NaN and null (no such figure) as null. */
    private static void putMillis(ObjectNode node, String field, Double millis) {
        if (millis == null || millis.isNaN()) {
            node.putNull(field);
        } else {
            node.put(field, Math.round(millis * 1000.0) / 1000.0);
        }
    }
}
