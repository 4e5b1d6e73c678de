package io.kickoff.loadtests;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.bodyLength;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.feed;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.gatling.javaapi.http.HttpRequestActionBuilder;
import io.kickoff.protocol.token.DeviceTokens;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The bundle herd on the prefetch service's {@code GET /v1/bundles}: {@code bundles.prefetchDevices}
 * devices fetch their segment's bundles with {@code X-Priority: prefetch}, each after a random delay
 * in {@code bundles.windowSeconds} (as devices jitter their prefetch ahead of an event), or all at
 * once ({@code bundles.arrival=burst}), while {@code bundles.criticalDevices}
 * devices arrive at once at {@code bundles.burstAtSeconds} with {@code X-Priority: critical} (devices
 * that missed their bundle and need it now). Every device then revalidates with
 * {@code If-None-Match} and must get 304.
 *
 * <p>Checks: critical requests get 200 or 304, never shed; prefetch requests get 200, 304 or 503,
 * and a 503 must carry {@code Retry-After}; a 200 carries an {@code ETag} and a body. Each shed
 * request is also logged as {@value #PREFETCH_SHED}, so shedding by priority is in the report. The run
 * passes only if no check failed (and, with {@code bundles.expectShedding=true}, something was shed). Needs a prefetch node whose events are in PREFETCH;
 * {@code load-tests/run-bundles.sh} sets one up.
 */
public class BundleHerdSimulation extends Simulation {
    private static final String BUNDLES = "/v1/bundles";

    private final String url = Settings.string("bundles.url", "http://127.0.0.1:8082");
    private final List<String> segments = Settings.list("bundles.segments", "s3,s4");
    private final int prefetchDevices = Settings.nonNegativeInt("bundles.prefetchDevices", 400);
    private final Duration window = Duration.ofSeconds(Settings.positiveInt("bundles.windowSeconds", 20));
    /** {@code jitter}: the prefetch devices wake together, each fetches after a random delay in the window; {@code burst}: all fetch at once. */
    private final Arrival arrival = Arrival.parse(Settings.string("bundles.arrival", "jitter"));
    /** true: the run fails unless the node shed at least one prefetch request (a run meant to show shedding). */
    private final boolean expectShedding = Boolean.parseBoolean(Settings.string("bundles.expectShedding", "false"));
    private final int criticalDevices = Settings.nonNegativeInt("bundles.criticalDevices", 100);
    private final Duration burstAt = Settings.seconds("bundles.burstAtSeconds", 10);
    private final String tokenSecret = Settings.tokenSecret();

    private Map<String, Double> metricsBefore = Map.of();

    /** How the prefetch devices spread their fetches. */
    enum Arrival {
        JITTER, BURST;

        static Arrival parse(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "jitter" -> JITTER;
                case "burst" -> BURST;
                default -> throw new IllegalArgumentException("-Dbundles.arrival must be jitter or burst, got '" + value + "'");
            };
        }
    }

    /** Logged once per shed request, so shedding by priority shows as its own line of the report. */
    static final String PREFETCH_SHED = "prefetch: shed (503 + Retry-After)";

    /**
     * One device: fetch its segment's bundles, then (if it got them) revalidate with the ETag.
     * A 200 must carry an ETag and a body; a 503 must say when to come back ({@code Retry-After}).
     */
    private static ChainBuilder fetchThenRevalidate(String label, String priority, List<Integer> fetchStatuses,
                                                    List<Integer> revalidateStatuses) {
        return exec(bundleRequest(label + ": fetch", priority)
                .check(status().in(fetchStatuses).saveAs("fetchStatus"))
                .checkIf((response, session) -> response.status().code() == 200)
                .then(header("ETag").saveAs("etag"), bodyLength().gt(0))
                .checkIf((response, session) -> response.status().code() == 503)
                .then(header("Retry-After").exists()))
                .doIf(session -> session.contains("fetchStatus") && session.getInt("fetchStatus") == 503).then(
                        exec(Timings.record(label + ": shed (503 + Retry-After)", session -> {
                            long now = System.currentTimeMillis();
                            return Timings.Span.ok(now, now);
                        })))
                // Nothing changed in between, so the revalidation is a 304 (unless shed).
                .doIf(session -> session.contains("etag")).then(
                        exec(bundleRequest(label + ": revalidate", priority)
                                .header("If-None-Match", "#{etag}")
                                .check(status().in(revalidateStatuses))
                                .checkIf((response, session) -> response.status().code() == 503)
                                .then(header("Retry-After").exists())));
    }

    private static HttpRequestActionBuilder bundleRequest(String name, String priority) {
        return http(name).get(BUNDLES)
                .header("Authorization", "Bearer #{token}")
                .header("X-Priority", priority);
    }

    private final ScenarioBuilder prefetch = scenario("prefetch (" + arrival.name().toLowerCase(Locale.ROOT) + ")")
            .exec(feed(new DeviceTokenFeeder(tokenSecret, "bundle-prefetch", segments, Duration.ofHours(6))))
            .exec(arrival == Arrival.JITTER ? pause(Duration.ZERO, window) : pause(Duration.ZERO))
            .exec(fetchThenRevalidate("prefetch", "prefetch", List.of(200, 304, 503), List.of(304, 503)));

    private final ScenarioBuilder critical = scenario("critical (burst)")
            .exec(feed(new DeviceTokenFeeder(tokenSecret, "bundle-critical", segments, Duration.ofHours(6))))
            .exec(fetchThenRevalidate("critical", "critical", List.of(200, 304), List.of(304)));

    private final HttpProtocolBuilder protocol = http
            .baseUrl(url)
            .disableWarmUp()
            // The simulation revalidates explicitly; with its cache on, Gatling would add
            // If-None-Match by itself and may skip requests within max-age.
            .disableCaching();

    public BundleHerdSimulation() {
        List<PopulationBuilder> populations = new ArrayList<>();
        if (prefetchDevices > 0) {
            populations.add(prefetch.injectOpen(atOnceUsers(prefetchDevices)));
        }
        if (criticalDevices > 0) {
            populations.add(burstAt.isZero()
                    ? critical.injectOpen(atOnceUsers(criticalDevices))
                    : critical.injectOpen(nothingFor(burstAt), atOnceUsers(criticalDevices)));
        }
        if (populations.isEmpty()) {
            throw new IllegalArgumentException("-Dbundles.prefetchDevices and -Dbundles.criticalDevices are both 0");
        }
        setUp(populations)
                .protocols(protocol)
                .maxDuration(window.plus(burstAt).plus(Duration.ofSeconds(120)))
                .assertions(expectShedding
                        ? List.of(global().failedRequests().count().is(0L),
                                details(PREFETCH_SHED).successfulRequests().count().gt(0L))
                        : List.of(global().failedRequests().count().is(0L)));
    }

    @Override
    public void before() {
        Probes.requireOk(url + "/readyz", "prefetch service");
        // An empty list is a valid 200 but measures nothing: refuse to start until the bundles exist.
        DeviceTokens tokens = DeviceTokens.withSecret(tokenSecret);
        for (String segment : segments) {
            int count = bundleCount(tokens.issue("bundle-probe", segment, Duration.ofMinutes(5)));
            if (count == 0) {
                throw new IllegalStateException("no bundles for segment " + segment + " at " + url + BUNDLES
                        + ": move the catalog's events to PREFETCH first (load-tests/run-bundles.sh does)");
            }
            System.out.printf(Locale.ROOT, "bundles: segment %s lists %d bundles%n", segment, count);
        }
        System.out.printf(Locale.ROOT, "bundles: %d prefetch devices (%s over %d s), %d critical at %d s, segments %s, %s%n",
                prefetchDevices, arrival == Arrival.JITTER ? "random delay" : "all at once, window unused", window.toSeconds(), criticalDevices, burstAt.toSeconds(), segments, url);
        metricsBefore = responseMetrics();
    }

    @Override
    public void after() {
        // The server's own count of what it answered, as a cross-check of Gatling's: sheds included.
        Map<String, Double> after = responseMetrics();
        Map<String, Long> delta = new TreeMap<>();
        after.forEach((series, value) -> delta.put(series, Math.round(value - metricsBefore.getOrDefault(series, 0.0))));
        // The scrape in before() counts itself as a 200 only once it has answered.
        delta.computeIfPresent("responses{status=200}", (series, n) -> n - 1);
        System.out.printf(Locale.ROOT, "prefetch service during the run: 200 x%d, 304 x%d, 503 x%d; shed: prefetch %d, critical %d%n",
                delta.getOrDefault("responses{status=200}", 0L), delta.getOrDefault("responses{status=304}", 0L),
                delta.getOrDefault("responses{status=503}", 0L), delta.getOrDefault("shed{priority=prefetch}", 0L),
                delta.getOrDefault("shed{priority=critical}", 0L));
    }

    private int bundleCount(String token) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + BUNDLES))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json")
                .header("X-Priority", "critical")
                .GET().build();
        String body = get(request);
        try {
            JsonNode list = new ObjectMapper().readTree(body);
            return list.isArray() ? list.size() : 0;
        } catch (IOException e) {
            throw new IllegalStateException("bundle list is not JSON: " + body, e);
        }
    }

    /** Response and shed counters from the prefetch service's Prometheus endpoint, keyed by series. */
    private Map<String, Double> responseMetrics() {
        Map<String, Double> series = new TreeMap<>();
        String text = get(HttpRequest.newBuilder(URI.create(url + "/metrics")).GET().build());
        for (String line : text.split("\n")) {
            if (line.startsWith("kickoff_prefetch_http_responses_total") || line.startsWith("kickoff_prefetch_http_shed_total")) {
                int space = line.lastIndexOf(' ');
                series.put(line.substring("kickoff_prefetch_http_".length(), space)
                        .replace("_total", "").replace("\"", ""), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return series;
    }

    private static String get(HttpRequest request) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(request.uri() + " answered HTTP " + response.statusCode() + ": " + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new IllegalStateException(request.uri() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
