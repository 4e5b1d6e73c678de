package io.kickoff.lsm.api;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Admin API meters: one timer per (method, route, status), so Prometheus gets requests by route
 * and status ({@code kickoff_lsm_api_requests_seconds_count}) and their latency (sum, max,
 * p50/p99) from one meter.
 */
final class ApiMetrics {
    static final String REQUESTS = "kickoff.lsm.api.requests";

    private final MeterRegistry registry;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    ApiMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void record(String method, String route, int status, long nanos) {
        String status3 = Integer.toString(status);
        timers.computeIfAbsent(method + ' ' + route + ' ' + status3, k -> Timer.builder(REQUESTS)
                        .description("admin API requests, by method, route template and status, and how long they took")
                        .tags("method", method, "route", route, "status", status3)
                        .publishPercentiles(0.5, 0.99)
                        .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }
}
