package io.kickoff.bus;

import java.util.concurrent.CompletableFuture;

/**
 * Tier-1 pub/sub between Kickoff services: publish keyed records to a topic, subscribe to a
 * topic with a callback. Records with the same key are delivered in the order they were
 * published. Implementations: {@link KafkaEventBus} (production, many processes) and
 * {@link InProcessEventBus} (one JVM, {@code memory} mode and unit tests).
 */
public interface EventBus extends AutoCloseable {

    /**
     * Publishes a record. The future completes when the bus has durably accepted it (Kafka:
     * acknowledged by all in-sync replicas) and fails if it could not be. Never blocks the caller.
     */
    CompletableFuture<Void> publish(Topic topic, String key, byte[] value);

    /**
     * Starts delivering the topic's records to {@code handler}. Returns once the subscription has
     * a position, so a {@link StartFrom#NOW} subscriber sees every record published after this returns.
     */
    Subscription subscribe(Topic topic, StartFrom from, RecordHandler handler);

    /**
     * A publisher of {@code group}: of all publishers of one group (in this process or any other on the same bus),
     * only the one that claimed last can publish. See {@link FencedPublisher}. Both buses of the platform have them;
     * a bus that cannot fence (a test double) throws {@link UnsupportedOperationException}.
     */
    default FencedPublisher fencedPublisher(String group) {
        throw new UnsupportedOperationException(getClass().getName() + " has no fenced publishers");
    }

    /**
     * Whether the bus can deliver now, as last observed; never blocks, so it can answer a readiness probe on an event
     * loop. Kafka: false once the cluster has not answered, or a publish has waited, for longer than
     * {@link KafkaBusConfig#unavailableAfter()}. In-process: true until closed. A bus that cannot tell (a test double)
     * says true.
     */
    default boolean isAvailable() {
        return true;
    }

    /** Closes every subscription and releases the bus's connections. */
    @Override
    void close();
}
