package io.kickoff.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What an operator graphs about a gateway node, in Prometheus form. Counters are cheap enough
 * to bump on event loops (Micrometer counters are striped adders). Outside this package it is
 * read only: {@link #count} and {@link #scrape}.
 */
public final class GatewayMetrics {
    private final PrometheusMeterRegistry registry;
    private final Counter connects;
    private final Counter acks;
    private final Counter redeliveries;
    private final Counter redeliveriesExhausted;
    private final Counter writes;
    private final Counter withheldWrites;
    private final Counter bundleWrites;
    private final Timer fanOut;
    private final Map<String, Counter> refusals = new ConcurrentHashMap<>();
    private final Map<String, Counter> closes = new ConcurrentHashMap<>();

    GatewayMetrics(String nodeId) {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("node", nodeId);
        this.connects = Counter.builder("kickoff_gateway_connects").description("devices greeted (hello answered)").register(registry);
        this.acks = Counter.builder("kickoff_gateway_acks").description("acks received from devices").register(registry);
        this.redeliveries = Counter.builder("kickoff_gateway_redeliveries").description("un-acked updates sent again").register(registry);
        this.redeliveriesExhausted = Counter.builder("kickoff_gateway_redeliveries_exhausted")
                .description("updates given up on after the last redelivery (the device resumes on reconnect)").register(registry);
        this.writes = Counter.builder("kickoff_gateway_update_writes").description("stage update frames written by fan-out").register(registry);
        this.withheldWrites = Counter.builder("kickoff_gateway_update_writes_withheld")
                .description("fan-out writes withheld because the connection was unwritable (sent later)").register(registry);
        this.bundleWrites = Counter.builder("kickoff_gateway_bundle_writes").description("bundle frames written").register(registry);
        this.fanOut = Timer.builder("kickoff_gateway_fanout").description("time for one event loop to write one update to its devices")
                .publishPercentiles(0.5, 0.99).register(registry);
    }

    /** Registers gauges read at scrape time (connections, known events, ...). */
    void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).register(registry);
    }

    void connected() {
        connects.increment();
    }

    /** An upgrade refused before any WebSocket work; {@code reason}: unauthorized, auth_failures, bad_request, bad_version, bad_subprotocol, not_ready, over_capacity, over_rate, draining, fd_ceiling. */
    void refused(String reason) {
        refusals.computeIfAbsent(reason, r -> Counter.builder("kickoff_gateway_upgrades_refused")
                .description("upgrade requests refused before the handshake").tags(Tags.of("reason", r)).register(registry)).increment();
    }

    /** A connection the server closed; {@code reason}: upgrade_timeout, slow_consumer, idle, no_hello, rate_limited, bad_frame, bad_framing, too_big, replaced, lifetime, drain. */
    void closed(String reason) {
        closes.computeIfAbsent(reason, r -> Counter.builder("kickoff_gateway_closes")
                .description("connections closed by the server").tags(Tags.of("reason", r)).register(registry)).increment();
    }

    void acked() {
        acks.increment();
    }

    void redelivered() {
        redeliveries.increment();
    }

    void redeliveriesExhausted() {
        redeliveriesExhausted.increment();
    }

    void written(int count) {
        writes.increment(count);
    }

    void withheld(int count) {
        withheldWrites.increment(count);
    }

    void bundlesWritten(int count) {
        bundleWrites.increment(count);
    }

    void fanOutTook(long nanos) {
        fanOut.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    /** The value of a counter ({@code name} and tag pairs), 0 if it was never bumped. */
    public double count(String name, String... tags) {
        Counter c = registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

}
