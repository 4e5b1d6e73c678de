package io.kickoff.prefetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kickoff.bus.InProcessEventBus;
import io.kickoff.bus.Topic;
import io.kickoff.prefetch.bundle.BundleStore;
import io.kickoff.prefetch.bundle.CachedBundleStore;
import io.kickoff.prefetch.bundle.InMemoryBundleStore;
import io.kickoff.prefetch.catalog.CatalogConsumer;
import io.kickoff.prefetch.catalog.CatalogPublisher;
import io.kickoff.prefetch.catalog.CatalogSource;
import io.kickoff.prefetch.catalog.InMemoryCatalogBlobStore;
import io.kickoff.prefetch.http.BundleServerConfig;
import io.kickoff.protocol.Timestamps;
import io.kickoff.protocol.token.DeviceTokens;
import io.kickoff.protocol.v1.AudienceSnapshot;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.StageUpdate;
import io.kickoff.testkit.MetricsExposition;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A prefetch node's {@code /metrics}: format and naming rules, help on every metric, every fixed series at zero at start. */
class PrefetchMetricsTest {
    static final DeviceTokens TOKENS = DeviceTokens.withSecret("prefetch-test-secret-prefetch-test-secret");

    @Test
    void theRealEndpointPassesTheFormatAndNamingRulesWithEveryFixedSeriesAtZeroBeforeAnyTraffic() throws Exception {
        InMemoryCatalogBlobStore blobs = new InMemoryCatalogBlobStore();
        CatalogPublisher.publish(blobs, CatalogSource.synthetic(200, 3, 2));
        try (InProcessEventBus bus = new InProcessEventBus();
             CatalogConsumer catalog = CatalogConsumer.open(blobs);
             BundleStore bundles = new CachedBundleStore(new InMemoryBundleStore(), CachedBundleStore.Config.defaults());
             PrefetchService service = PrefetchService.start(BundleServerConfig.defaults().withHost("127.0.0.1").withPort(0),
                     catalog, bundles, bus, TOKENS, Clock.systemUTC(), "prefetch-metrics")) {
            HttpClient http = HttpClient.newHttpClient();
            URI metricsUri = URI.create("http://127.0.0.1:" + service.port() + "/metrics");
            String text = http.send(HttpRequest.newBuilder(metricsUri).build(), HttpResponse.BodyHandlers.ofString()).body();

            MetricsExposition metrics = MetricsExposition.checked(text);
            for (String counter : List.of("kickoff_prefetch_http_bundles_total", "kickoff_prefetch_http_bytes_total",
                    "kickoff_prefetch_http_hits_total", "kickoff_prefetch_http_misses_total",
                    "kickoff_prefetch_http_not_modified_total", "kickoff_prefetch_http_requests_seconds_count")) {
                assertThat(metrics.value(counter, "node", "prefetch-metrics")).as(counter).isZero();
            }
            for (String status : List.of("200", "304", "400", "401", "404", "503")) {
                assertThat(metrics.value("kickoff_prefetch_http_responses_total", "status", status)).as(status).isZero();
            }
            for (String priority : List.of("prefetch", "critical")) {
                assertThat(metrics.value("kickoff_prefetch_http_shed_total", "priority", priority)).as(priority).isZero();
            }
            for (String source : List.of("observed", "configured", "equal")) {
                assertThat(metrics.value("kickoff_prefetch_push_plans_total", "source", source)).as(source).isZero();
            }
            assertThat(metrics.families().get("kickoff_prefetch_http_requests_seconds").type()).isEqualTo("histogram");
            assertThat(metrics.value("kickoff_prefetch_http_in_flight")).isZero();
            assertThat(metrics.value("kickoff_prefetch_http_concurrency_limit")).isPositive();
            assertThat(metrics.value("kickoff_prefetch_catalog_version")).isEqualTo(catalog.version());
            assertThat(metrics.value("cache_gets_total", "cache", "prefetch_bundles", "result", "hit")).isZero();
            assertThat(metrics.value("cache_gets_total", "cache", "prefetch_listings", "result", "miss")).isZero();
            assertThat(metrics.value("kickoff_build_info", "node", "prefetch-metrics")).isEqualTo(1);
            assertThat(metrics.sampleNames()).contains("jvm_memory_used_bytes", "process_cpu_seconds_total",
                    "process_files_open_files", "netty_allocator_memory_used_bytes");

            // A listing of a segment without bundles is a miss, answered 200 and timed.
            String segment = service.segments().get(0);
            HttpResponse<String> empty = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + "/v1/bundles"))
                    .header("Authorization", "Bearer " + TOKENS.issue("tv-1", segment, Duration.ofHours(1))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(empty.statusCode()).isEqualTo(200);
            metrics = MetricsExposition.parse(http.send(HttpRequest.newBuilder(metricsUri).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertThat(metrics.value("kickoff_prefetch_http_misses_total")).isEqualTo(1);
            assertThat(metrics.value("kickoff_prefetch_http_hits_total")).isZero();
            assertThat(metrics.value("kickoff_prefetch_http_requests_seconds_bucket", "le", "+Inf")).isGreaterThanOrEqualTo(2);
            assertThat(metrics.value("cache_gets_total", "cache", "prefetch_listings", "result", "miss")).isEqualTo(1);

            // The node reads the audience from its bus: an event pushed while watched is counted as observed, and the
            // parts of the push window chosen per segment are shown (and pass the naming rules).
            bus.publish(Topic.AUDIENCE, "ev0", AudienceSnapshot.newBuilder().setEventId("ev0")
                    .setAt(Timestamps.of(Instant.now())).setViewers(160)
                    .putSegments("s0", 100).putSegments("s1", 10).putSegments("s2", 50).build().toByteArray()).join();
            // The feed reads the snapshot on its own subscription: each poll moves the start (a new bundle version,
            // pushed again) until a push went by the observed audience.
            AtomicLong seq = new AtomicLong();
            Instant start = Instant.now().plus(Duration.ofMinutes(30));
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                long n = seq.incrementAndGet();
                bus.publish(Topic.STAGES, "ev0", StageUpdate.newBuilder().setEventId("ev0").setStage(Stage.PREFETCH)
                        .setSeq(n).setScheduledStart(Timestamps.of(start.plusSeconds(n))).build().toByteArray()).join();
                return MetricsExposition.parse(http.send(HttpRequest.newBuilder(metricsUri).build(),
                        HttpResponse.BodyHandlers.ofString()).body())
                        .value("kickoff_prefetch_push_plans_total", "source", "observed") >= 1;
            });
            metrics = MetricsExposition.checked(http.send(HttpRequest.newBuilder(metricsUri).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertThat(metrics.families().get("kickoff_prefetch_push_window_share").samples())
                    .isNotEmpty()
                    .allSatisfy(sample -> assertThat(sample.value()).isGreaterThan(0).isLessThanOrEqualTo(1));
        }
    }
}
