package io.kickoff.bus;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of a {@link KafkaEventBus}. Immutable; start from {@link #of(String)} and adjust with
 * the {@code with*} methods.
 *
 * @param bootstrapServers   Kafka bootstrap servers, {@code host:port[,host:port]}
 * @param clientId           prefix of the Kafka client ids, so broker logs say who is who
 * @param partitions         partitions of topics this bus creates
 * @param replicationFactor  replication factor of topics this bus creates
 * @param startTimeout       how long {@link EventBus#subscribe} and topic creation may wait for the cluster
 * @param deliveryTimeout    how long a publish may be retried before its future fails
 * @param unavailableAfter   {@link EventBus#isAvailable()} turns false once the cluster has not answered, or a publish
 *                           has waited, for this long: readiness follows an outage in seconds, not after the delivery
 *                           timeout
 * @param extraClientConfig  more Kafka client settings, applied last (for TLS, SASL, tuning)
 */
public record KafkaBusConfig(String bootstrapServers, String clientId, int partitions, short replicationFactor,
                             Duration startTimeout, Duration deliveryTimeout, Duration unavailableAfter,
                             Map<String, Object> extraClientConfig) {

    public KafkaBusConfig {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        if (bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrapServers must not be blank");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be positive");
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replicationFactor must be positive");
        }
        if (unavailableAfter.toMillis() < 100) {
            throw new IllegalArgumentException("unavailableAfter must be at least 100 ms");
        }
        extraClientConfig = Map.copyOf(extraClientConfig);
    }

    public static KafkaBusConfig of(String bootstrapServers) {
        return new KafkaBusConfig(bootstrapServers, "kickoff", 6, (short) 1, Duration.ofSeconds(30),
                Duration.ofMinutes(2), Duration.ofSeconds(5), Map.of());
    }

    /** The same bus with more Kafka client settings (TLS, SASL, tuning), applied over the bus's own. */
    public KafkaBusConfig withClientConfig(Map<String, ?> settings) {
        Map<String, Object> merged = new java.util.LinkedHashMap<>(extraClientConfig);
        merged.putAll(settings);
        return new KafkaBusConfig(bootstrapServers, clientId, partitions, replicationFactor, startTimeout, deliveryTimeout, unavailableAfter, merged);
    }

    public KafkaBusConfig withClientId(String id) {
        return new KafkaBusConfig(bootstrapServers, id, partitions, replicationFactor, startTimeout, deliveryTimeout, unavailableAfter, extraClientConfig);
    }

    public KafkaBusConfig withPartitions(int n) {
        return new KafkaBusConfig(bootstrapServers, clientId, n, replicationFactor, startTimeout, deliveryTimeout, unavailableAfter, extraClientConfig);
    }

    KafkaBusConfig withUnavailableAfter(Duration d) {
        return new KafkaBusConfig(bootstrapServers, clientId, partitions, replicationFactor, startTimeout, deliveryTimeout, d, extraClientConfig);
    }
}
