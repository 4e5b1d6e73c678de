package io.kickoff.gateway;

import com.github.benmanes.caffeine.cache.Cache;
import io.kickoff.http.NodeMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * What an operator graphs about a gateway node, in Prometheus form. Counters are cheap enough
 * to bump on event loops (Micrometer counters are striped adders); latencies are histograms with
 * fixed buckets, so that {@code histogram_quantile} over the sum of every node's buckets is right.
 * Every meter of a fixed set (refusal and close causes included) exists at zero from the start; the
 * delivery figures of stage updates come and go with the updates, at most
 * {@link #DELIVERY_UPDATES} of them at a time. Outside this package it is read only: {@link #count}
 * and {@link #scrape}.
 */
public final class GatewayMetrics implements AutoCloseable {
    /** Why an upgrade is refused before any WebSocket work: the {@code reason} label of {@code kickoff_gateway_upgrades_refused_total}. */
    static final List<String> REFUSAL_REASONS = List.of("unauthorized", "auth_failures", "bad_request", "bad_version",
            "bad_subprotocol", "not_ready", "over_capacity", "over_rate", "draining", "fd_ceiling");
    /** Why the server closed a connection: the {@code reason} label of {@code kickoff_gateway_closes_total}. */
    static final List<String> CLOSE_REASONS = List.of("upgrade_timeout", "slow_consumer", "idle", "no_hello",
            "rate_limited", "bad_frame", "bad_framing", "too_big", "protocol", "replaced", "lifetime", "drain");
    /**
     * Stage updates whose delivery figures a node exposes at once (the most recently started); an older one's series
     * are removed, as are those of an update its event no longer keeps ({@link DeliveryStats#SEQS_PER_EVENT}).
     */
    static final int DELIVERY_UPDATES = 30;

    /** Fan-out of one update by one event loop: from tens of microseconds (few devices) to seconds (an overloaded node). */
    static final Duration[] FAN_OUT_BUCKETS = NodeMeters.buckets(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
            0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5);
    /** From an update's issue to a device's ack: tens of milliseconds on a good network, up to a minute. */
    static final Duration[] ACK_LATENCY_BUCKETS = NodeMeters.buckets(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60);

    private final NodeMeters meters;
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
    // The updates whose delivery series are exposed, oldest first; guarded by itself.
    private final ArrayDeque<DeliverySeries> deliveries = new ArrayDeque<>();

    GatewayMetrics(String nodeId) {
        this.meters = NodeMeters.forNode(nodeId);
        this.registry = meters.registry();
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
                .serviceLevelObjectives(FAN_OUT_BUCKETS).register(registry);
        for (String reason : REFUSAL_REASONS) {
            refusals.put(reason, refusalCounter(reason));
        }
        for (String reason : CLOSE_REASONS) {
            closes.put(reason, closeCounter(reason));
        }
    }

    private Counter refusalCounter(String reason) {
        return Counter.builder("kickoff_gateway_upgrades_refused").description("upgrade requests refused before the handshake, by reason")
                .tags(Tags.of("reason", reason)).register(registry);
    }

    private Counter closeCounter(String reason) {
        return Counter.builder("kickoff_gateway_closes").description("connections closed by the server, by reason")
                .tags(Tags.of("reason", reason)).register(registry);
    }

    /** Registers gauges read at scrape time (connections, known events, ...). */
    void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).strongReference(true).register(registry);
    }

    /** Registers a counter read at scrape time from a count that only grows (exposed as {@code name_total}). */
    <T> void counter(String name, String description, T source, ToDoubleFunction<T> count) {
        FunctionCounter.builder(name, source, count).description(description).register(registry);
    }

    /** Exposes a Caffeine cache's size, hits, misses and evictions ({@code cache_*{cache=name}}); it must record stats. */
    void cache(String name, Cache<?, ?> cache) {
        CaffeineCacheMetrics.monitor(registry, cache, name);
    }

    void connected() {
        connects.increment();
    }

    /** An upgrade refused before any WebSocket work; {@code reason}: one of {@link #REFUSAL_REASONS}. */
    void refused(String reason) {
        refusals.computeIfAbsent(reason, this::refusalCounter).increment();
    }

    /** A connection the server closed; {@code reason}: one of {@link #CLOSE_REASONS}. */
    void closed(String reason) {
        closes.computeIfAbsent(reason, this::closeCounter).increment();
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

    /**
     * The delivery series of one stage update (labels {@code event}, {@code seq}): targeted, written and acked
     * devices read from {@code tally}, when it was issued, and its ack latencies. Pushes the series of the oldest
     * exposed update out once more than {@link #DELIVERY_UPDATES} are exposed.
     */
    DeliverySeries delivery(String eventId, DeliveryStats.Tally tally) {
        Tags tags = Tags.of("event", eventId, "seq", Long.toString(tally.seq));
        List<Meter> series = new java.util.ArrayList<>(5);
        series.add(FunctionCounter.builder("kickoff_gateway_delivery_targeted", tally.targeted, a -> a.sum())
                .description("devices this node attempted to deliver the update to (distinct devices)").tags(tags).register(registry));
        series.add(FunctionCounter.builder("kickoff_gateway_delivery_written", tally.written, a -> a.sum())
                .description("targeted devices the update was written to (distinct devices)").tags(tags).register(registry));
        series.add(FunctionCounter.builder("kickoff_gateway_delivery_acked", tally.acked, a -> a.sum())
                .description("targeted devices that acked the update (distinct devices)").tags(tags).register(registry));
        if (tally.issuedAtMicros != 0) {
            double issuedAt = tally.issuedAtMicros / 1e6;
            series.add(Gauge.builder("kickoff_gateway_delivery_issued_timestamp_seconds", () -> issuedAt)
                    .description("when the update was issued (Unix time), to judge delivery some seconds after it")
                    .tags(tags).strongReference(true).register(registry));
        }
        Timer latency = Timer.builder("kickoff_gateway_delivery_ack_latency")
                .description("from the update's issue to a device's ack of it").tags(tags)
                .serviceLevelObjectives(ACK_LATENCY_BUCKETS).register(registry);
        series.add(latency);
        DeliverySeries created = new DeliverySeries(latency, series);
        DeliverySeries pushedOut = null;
        synchronized (deliveries) {
            deliveries.addLast(created);
            if (deliveries.size() > DELIVERY_UPDATES) {
                pushedOut = deliveries.removeFirst();
            }
        }
        if (pushedOut != null) {
            pushedOut.remove();
        }
        return created;
    }

    /** The delivery meters of one stage update; {@link #remove()} takes its series off the exposition. */
    final class DeliverySeries implements DeliveryMeters {
        private final Timer latency;
        private final List<Meter> series;
        private volatile boolean removed;

        private DeliverySeries(Timer latency, List<Meter> series) {
            this.latency = latency;
            this.series = series;
        }

        @Override
        public void ackLatency(long micros) {
            if (!removed) {
                latency.record(micros, TimeUnit.MICROSECONDS);
            }
        }

        @Override
        public void remove() {
            if (removed) {
                return;
            }
            removed = true;
            synchronized (deliveries) {
                deliveries.remove(this);
            }
            series.forEach(registry::remove);
        }
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

    /** Stops the JVM binders' listeners; the node is closing. */
    @Override
    public void close() {
        meters.close();
    }
}
