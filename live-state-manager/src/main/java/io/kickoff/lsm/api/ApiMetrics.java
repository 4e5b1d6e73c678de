package io.kickoff.lsm.api;

import io.kickoff.http.NodeMeters;
import io.kickoff.http.RouteTable;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Admin API meters: a latency histogram per (method, route template) with fixed buckets
 * ({@code kickoff_lsm_api_requests_seconds}), registered for every route of the table at start, and a
 * counter of answers per (method, route template, status) ({@code kickoff_lsm_api_responses_total}).
 */
final class ApiMetrics {
    static final String REQUESTS = "kickoff.lsm.api.requests";
    static final String RESPONSES = "kickoff.lsm.api.responses";
    /** Admin calls are store round trips: a millisecond or so, seconds when the store is slow (the deadline is 5 s). */
    static final Duration[] BUCKETS = NodeMeters.buckets(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
            1, 2.5, 5, 10);

    private final MeterRegistry registry;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Map<String, Counter> responses = new ConcurrentHashMap<>();

    ApiMetrics(MeterRegistry registry, RouteTable<?> routes) {
        this.registry = registry;
        for (RouteTable.Route<?> route : routes.routes()) {
            timer(route.method().name(), route.template());
        }
    }

    void record(String method, String route, int status, long nanos) {
        timer(method, route).record(nanos, TimeUnit.NANOSECONDS);
        String status3 = Integer.toString(status);
        responses.computeIfAbsent(method + ' ' + route + ' ' + status3, k -> Counter.builder(RESPONSES)
                        .description("admin API answers, by method, route template and status")
                        .tags("method", method, "route", route, "status", status3)
                        .register(registry))
                .increment();
    }

    private Timer timer(String method, String route) {
        return timers.computeIfAbsent(method + ' ' + route, k -> Timer.builder(REQUESTS)
                .description("how long admin API requests took to answer, by method and route template")
                .tags("method", method, "route", route)
                .serviceLevelObjectives(BUCKETS)
                .register(registry));
    }
}
