package io.kickoff.gateway;

import static io.kickoff.gateway.Fixtures.NOW;
import static io.kickoff.gateway.Fixtures.update;
import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.bus.InProcessEventBus;
import io.kickoff.protocol.token.DeviceTokens;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.StageUpdate;
import io.kickoff.testkit.MetricsExposition;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import org.junit.jupiter.api.Test;

/** A gateway's {@code /metrics}: the exposition format and naming rules, every fixed series at zero from the start, delivery series bounded. */
class GatewayMetricsTest {
    static final long NOW_MICROS = NOW.getEpochSecond() * 1_000_000L + NOW.getNano() / 1_000;

    @Test
    void theRealEndpointPassesTheFormatAndNamingRulesWithEveryFixedSeriesAtZeroBeforeAnyTraffic() throws Exception {
        GatewayConfig config = GatewayConfig.builder().host("127.0.0.1").port(0).nodeId("gw-metrics")
                .warmUp(GatewayConfig.WarmUp.OFF).build();
        String scrape;
        try (InProcessEventBus bus = new InProcessEventBus();
             Gateway gateway = Gateway.start(config, DeviceTokens.withSecret("gateway-metrics-secret-0123456789abcdef"),
                     bus, Clock.systemUTC())) {
            HttpResponse<String> answer = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(200);
            scrape = answer.body();
        }
        MetricsExposition metrics = MetricsExposition.checked(scrape);

        for (String reason : GatewayMetrics.REFUSAL_REASONS) {
            assertThat(metrics.value("kickoff_gateway_upgrades_refused_total", "reason", reason)).as(reason).isZero();
        }
        for (String reason : GatewayMetrics.CLOSE_REASONS) {
            assertThat(metrics.value("kickoff_gateway_closes_total", "reason", reason)).as(reason).isZero();
        }
        for (String counter : new String[]{"kickoff_gateway_connects_total", "kickoff_gateway_acks_total",
                "kickoff_gateway_redeliveries_total", "kickoff_gateway_redeliveries_exhausted_total",
                "kickoff_gateway_update_writes_total", "kickoff_gateway_update_writes_withheld_total",
                "kickoff_gateway_bundle_writes_total", "kickoff_gateway_bundle_writes_skipped_total"}) {
            assertThat(metrics.value(counter, "node", "gw-metrics")).as(counter).isZero();
        }
        assertThat(metrics.families().get("kickoff_gateway_fanout_seconds").type()).isEqualTo("histogram");
        assertThat(metrics.value("kickoff_gateway_fanout_seconds_bucket", "le", "0.001")).isZero();
        assertThat(metrics.value("kickoff_gateway_fanout_seconds_bucket", "le", "+Inf")).isZero();
        assertThat(metrics.value("kickoff_gateway_connections")).isZero();
        assertThat(metrics.value("kickoff_gateway_max_connections")).isPositive();
        assertThat(metrics.value("kickoff_gateway_bus_available")).isEqualTo(1);
        assertThat(metrics.families().get("kickoff_build_info").samples()).singleElement()
                .satisfies(s -> {
                    assertThat(s.value()).isEqualTo(1);
                    assertThat(s.labels()).containsKeys("version", "java", "node");
                });
        for (String binder : new String[]{"jvm_memory_used_bytes", "jvm_gc_memory_allocated_bytes_total", "jvm_threads_live_threads",
                "jvm_classes_loaded_classes", "process_cpu_seconds_total", "process_uptime_seconds", "process_files_open_files",
                "netty_allocator_memory_used_bytes"}) {
            assertThat(metrics.sampleNames()).as(binder).contains(binder);
        }
        assertThat(metrics.value("cache_gets_total", "cache", "gateway_auth_failure_sources", "result", "miss")).isZero();
    }

    @Test
    void deliveryOfEachUpdateIsExposedByEventAndSeqAndOnlyTheKeptUpdatesHaveSeries() {
        try (GatewayMetrics metrics = new GatewayMetrics("gw-d")) {
            DeliveryStats stats = new DeliveryStats("gw-d", Fixtures.CLOCK, () -> 3, metrics);
            StageUpdate live = update("final", Stage.LIVE, 4);
            stats.targeted(live, "d0");
            stats.written(live, "d1");
            stats.written(live, "d2");
            stats.acked("final", 4, "d1", NOW_MICROS + 40_000); // 40 ms after the issue
            stats.acked("final", 4, "d2", NOW_MICROS + 3_000_000); // 3 s

            MetricsExposition scrape = MetricsExposition.parse(metrics.scrape());
            assertThat(scrape.problems()).isEmpty();
            assertThat(scrape.value("kickoff_gateway_delivery_targeted_total", "event", "final", "seq", "4")).isEqualTo(3);
            assertThat(scrape.value("kickoff_gateway_delivery_written_total", "event", "final", "seq", "4")).isEqualTo(2);
            assertThat(scrape.value("kickoff_gateway_delivery_acked_total", "event", "final", "seq", "4")).isEqualTo(2);
            assertThat(scrape.value("kickoff_gateway_delivery_issued_timestamp_seconds", "event", "final", "seq", "4"))
                    .isEqualTo(NOW_MICROS / 1e6);
            assertThat(scrape.value("kickoff_gateway_delivery_ack_latency_seconds_bucket", "event", "final", "seq", "4", "le", "0.05"))
                    .isEqualTo(1);
            assertThat(scrape.value("kickoff_gateway_delivery_ack_latency_seconds_bucket", "event", "final", "seq", "4", "le", "5.0"))
                    .isEqualTo(2);

            // An event keeps its latest seqs only: the series of the seq pushed out go.
            for (int seq = 5; seq < 5 + DeliveryStats.SEQS_PER_EVENT; seq++) {
                stats.targeted(update("final", Stage.LIVE, seq), "d0");
            }
            scrape = MetricsExposition.parse(metrics.scrape());
            assertThat(scrape.value("kickoff_gateway_delivery_targeted_total", "event", "final", "seq", "4")).isNull();
            assertThat(scrape.value("kickoff_gateway_delivery_ack_latency_seconds_count", "event", "final", "seq", "4")).isNull();
            assertThat(scrape.value("kickoff_gateway_delivery_targeted_total", "event", "final", "seq", "5")).isEqualTo(1);

            // Node-wide, only the latest DELIVERY_UPDATES updates have series.
            for (int e = 0; e < GatewayMetrics.DELIVERY_UPDATES; e++) {
                stats.targeted(update("event-" + e, Stage.PREFETCH, 1), "d0");
            }
            scrape = MetricsExposition.parse(metrics.scrape());
            assertThat(scrape.families().get("kickoff_gateway_delivery_targeted_total").samples())
                    .hasSize(GatewayMetrics.DELIVERY_UPDATES);
            assertThat(scrape.value("kickoff_gateway_delivery_targeted_total", "event", "final", "seq", "7")).isNull();
            assertThat(scrape.value("kickoff_gateway_delivery_targeted_total", "event", "event-0", "seq", "1")).isEqualTo(1);

            // An event that left the world takes its series along.
            stats.forget("event-0");
            scrape = MetricsExposition.parse(metrics.scrape());
            assertThat(scrape.value("kickoff_gateway_delivery_targeted_total", "event", "event-0", "seq", "1")).isNull();
            assertThat(scrape.problems()).isEmpty();
        }
    }
}
