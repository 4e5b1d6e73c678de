package io.kickoff.audience;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Objects;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Kafka Streams' own metrics of one instance (its threads, tasks and stores, and its consumer, producer and admin
 * client), through Micrometer's {@link KafkaStreamsMetrics}, in a registry of their own whose text is appended to the
 * node's {@code /metrics}. Kept to those that follow the platform's exposition rules: Kafka reports latencies as
 * millisecond averages and maxima and some times in nanoseconds, none of which a Prometheus query can combine across
 * instances, so those are left out ({@link #FILTER}); throughputs, totals and counts stay. A filter must be in place
 * before the first meter registers, hence the registry of their own.
 */
public final class StreamsMeters implements AutoCloseable {
    /** Leaves out times not in seconds and latency summaries; a gauge of connections is not named like a count. */
    static final MeterFilter FILTER = new MeterFilter() {
        @Override
        public io.micrometer.core.instrument.config.MeterFilterReply accept(Meter.Id id) {
            String name = id.getName();
            boolean offRules = name.contains(".ns.") || name.endsWith(".ns") || name.contains(".ms.")
                    || name.endsWith(".ms") || name.contains("latency") || name.contains("metadata.age")
                    || name.contains("records.lag");
            return offRules ? io.micrometer.core.instrument.config.MeterFilterReply.DENY
                    : io.micrometer.core.instrument.config.MeterFilterReply.NEUTRAL;
        }

        @Override
        public Meter.Id map(Meter.Id id) {
            return id.getName().endsWith(".connection.count")
                    ? id.withName(id.getName().substring(0, id.getName().length() - ".connection.count".length()) + ".connections")
                    : id;
        }
    };

    private final PrometheusMeterRegistry registry;
    private final KafkaStreamsMetrics binder;

    StreamsMeters(KafkaStreams streams, String nodeId) {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(FILTER).commonTags("node", Objects.requireNonNull(nodeId, "nodeId"));
        this.binder = new KafkaStreamsMetrics(streams);
        binder.bindTo(registry);
    }

    /** The Prometheus text of these meters. */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        binder.close();
    }
}
