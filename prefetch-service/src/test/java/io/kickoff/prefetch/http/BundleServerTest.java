package io.kickoff.prefetch.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.prefetch.bundle.InMemoryBundleStore;
import io.kickoff.protocol.token.DeviceTokens;
import io.kickoff.protocol.v1.Bundle;
import io.kickoff.protocol.v1.Rendering;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BundleServerTest {
    static final String SECRET = "0123456789abcdef0123456789abcdef-test";
    final DeviceTokens tokens = DeviceTokens.withSecret(SECRET);
    final InMemoryBundleStore store = new InMemoryBundleStore();
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final AtomicBoolean ready = new AtomicBoolean(true);
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final Random random = new Random(7);
    BundleServer server;
    String base;

    @BeforeEach
    void start() throws Exception {
        BundleServerConfig config = BundleServerConfig.defaults().withHost("127.0.0.1").withPort(0).withLimits(2, 1);
        server = new BundleServer(config, store, tokens, Set.of("teen", "adult")::contains, ready::get, registry,
                new Jitter(() -> {
                    synchronized (random) {
                        return random.nextDouble();
                    }
                }));
        base = "http://127.0.0.1:" + server.start();
        store.put(bundle("ev-1", "teen", "v1"), Duration.ofMinutes(10)).join();
        store.put(bundle("ev-2", "teen", "v1"), Duration.ofMinutes(10)).join();
        store.put(bundle("ev-3", "adult", "v1"), Duration.ofMinutes(10)).join();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static Bundle bundle(String event, String segment, String version) {
        return Bundle.newBuilder().setEventId(event).setSegment(segment).setVersion(version)
                .putStages("LIVE", Rendering.newBuilder().setRowTitle("Live now " + event)
                        .setCallToAction("x".repeat(300)).build())
                .build();
    }

    HttpResponse<byte[]> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    String token(String segment) {
        return "Bearer " + tokens.issue("device-1", segment, Duration.ofHours(1));
    }

    static List<Bundle> delimited(byte[] body) throws IOException {
        List<Bundle> out = new ArrayList<>();
        InputStream in = new ByteArrayInputStream(body);
        Bundle b;
        while ((b = Bundle.parseDelimitedFrom(in)) != null) {
            out.add(b);
        }
        return out;
    }

    @Test
    void servesTheSegmentOfTheTokenAsADelimitedProtobufStream() throws Exception {
        HttpResponse<byte[]> r = get("/v1/bundles", "Authorization", token("teen"), "Accept", "application/x-protobuf");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).contains("application/x-protobuf");
        assertThat(r.headers().firstValue("content-encoding")).isEmpty();
        assertThat(delimited(r.body())).extracting(Bundle::getEventId).containsExactly("ev-1", "ev-2");
        assertThat(registry.counter("kickoff.prefetch.http.bundles").count()).isEqualTo(2);
    }

    @Test
    void servesGzippedJsonForToolsBySegment() throws Exception {
        HttpResponse<byte[]> r = get("/v1/bundles?segment=adult", "Accept", "application/json",
                "Accept-Encoding", "gzip");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-encoding")).contains("gzip");
        String json = new String(new GZIPInputStream(new ByteArrayInputStream(r.body())).readAllBytes(),
                StandardCharsets.UTF_8);
        assertThat(json).startsWith("[{").contains("\"eventId\":\"ev-3\"").doesNotContain("ev-1");
    }

    @Test
    void etagAndIfNoneMatchGive304UntilAVersionChanges() throws Exception {
        HttpResponse<byte[]> first = get("/v1/bundles?segment=teen");
        String etag = first.headers().firstValue("etag").orElseThrow();
        HttpResponse<byte[]> again = get("/v1/bundles?segment=teen", "If-None-Match", etag);
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        assertThat(again.headers().firstValue("etag")).contains(etag);
        assertThat(registry.counter("kickoff.prefetch.http.not.modified").count()).isEqualTo(1);

        HttpResponse<byte[]> json = get("/v1/bundles?segment=teen", "If-None-Match", etag, "Accept", "application/json");
        assertThat(json.statusCode()).as("another representation has another tag").isEqualTo(200);

        store.put(bundle("ev-2", "teen", "v2"), Duration.ofMinutes(10)).join();
        HttpResponse<byte[]> changed = get("/v1/bundles?segment=teen", "If-None-Match", etag);
        assertThat(changed.statusCode()).isEqualTo(200);
        assertThat(changed.headers().firstValue("etag")).isPresent().get().isNotEqualTo(etag);
    }

    @Test
    void maxAgeIsJitteredWithinItsRange() throws Exception {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            String cc = get("/v1/bundles?segment=teen").headers().firstValue("cache-control").orElseThrow();
            long maxAge = Long.parseLong(cc.replaceAll(".*max-age=(\\d+).*", "$1"));
            assertThat(maxAge).isBetween(240L, 360L); // 300 s ± 20 %
            seen.add(cc);
        }
        assertThat(seen).hasSizeGreaterThan(1);
    }

    @Test
    void shedsPrefetchPastTheLimitButServesCriticalFromTheReserve() throws Exception {
        PriorityLimiter.Permit p1 = server.limiter().tryAcquire(Priority.PREFETCH);
        PriorityLimiter.Permit p2 = server.limiter().tryAcquire(Priority.PREFETCH);
        assertThat(p1).isNotNull();
        assertThat(p2).isNotNull();
        try {
            HttpResponse<byte[]> shed = get("/v1/bundles?segment=teen", "X-Priority", "prefetch");
            assertThat(shed.statusCode()).isEqualTo(503);
            assertThat(Long.parseLong(shed.headers().firstValue("retry-after").orElseThrow())).isBetween(5L, 30L);
            assertThat(get("/v1/bundles?segment=teen").statusCode()).as("no header = prefetch").isEqualTo(503);

            HttpResponse<byte[]> critical = get("/v1/bundles?segment=teen", "X-Priority", "critical");
            assertThat(critical.statusCode()).isEqualTo(200);
            assertThat(delimited(critical.body())).hasSize(2);

            // With the reserve held too, critical is shed as well. The server gives a request's permit
            // back just after its answer is written, so wait for that first.
            org.awaitility.Awaitility.await().until(() -> server.limiter().inFlight() == 2);
            PriorityLimiter.Permit r = server.limiter().tryAcquire(Priority.CRITICAL);
            assertThat(r).isNotNull();
            assertThat(get("/v1/bundles?segment=teen", "X-Priority", "critical").statusCode()).isEqualTo(503);
            r.release();
        } finally {
            p1.release();
            p2.release();
        }
        assertThat(get("/v1/bundles?segment=teen", "X-Priority", "prefetch").statusCode()).isEqualTo(200);
        assertThat(registry.counter("kickoff.prefetch.http.shed", "priority", "prefetch").count()).isEqualTo(2);
        assertThat(registry.counter("kickoff.prefetch.http.shed", "priority", "critical").count()).isEqualTo(1);
        org.awaitility.Awaitility.await().until(() -> server.limiter().inFlight() == 0);  // every permit comes back, just after its answer is written
    }

    @Test
    void refusesBadRequests() throws Exception {
        assertThat(get("/v1/bundles").statusCode()).isEqualTo(401);
        assertThat(get("/v1/bundles", "Authorization", "Bearer not-a-token").statusCode()).isEqualTo(401);
        DeviceTokens other = DeviceTokens.withSecret("another-secret-another-secret-0123456789");
        assertThat(get("/v1/bundles", "Authorization",
                "Bearer " + other.issue("d", "teen", Duration.ofHours(1))).statusCode()).isEqualTo(401);
        assertThat(get("/v1/bundles?segment=ghost").statusCode()).isEqualTo(400);
        assertThat(get("/v1/bundles?segment=a%20b").statusCode()).isEqualTo(400);
        assertThat(get("/v1/bundles?segment=teen", "Accept", "text/html").statusCode()).isEqualTo(406);
        assertThat(get("/v1/nope").statusCode()).isEqualTo(404);
        org.awaitility.Awaitility.await().until(() -> server.limiter().inFlight() == 0);  // every permit comes back
    }

    @Test
    void healthReadinessAndMetrics() throws Exception {
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
        assertThat(get("/readyz").statusCode()).isEqualTo(200);
        ready.set(false);
        assertThat(get("/readyz").statusCode()).isEqualTo(503);
        get("/v1/bundles?segment=teen");
        String metrics = new String(get("/metrics").body(), StandardCharsets.UTF_8);
        assertThat(metrics).contains("kickoff_prefetch_http_bundles_total", "kickoff_prefetch_http_shed_total",
                "kickoff_prefetch_http_hits_total", "kickoff_prefetch_http_not_modified_total",
                "kickoff_prefetch_http_bytes_total");
    }
}
