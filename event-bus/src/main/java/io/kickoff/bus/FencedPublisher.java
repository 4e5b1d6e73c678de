package io.kickoff.bus;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Publishes for a role that one holder at a time may play (the Live State Manager's outbox relay): all publishers of
 * one group share a name, and each {@link #claim(long) claim} fences every publisher of the group that claimed before
 * it, so a deposed holder that wakes up late cannot publish anything any more. On Kafka this is the producer's own
 * fencing (a transactional producer whose {@code transactional.id} is the group); the in-process bus keeps the same
 * contract with a lock.
 *
 * <p>Calls run one after another in the order they were made; none blocks the caller.
 */
public interface FencedPublisher extends AutoCloseable {

    /**
     * Makes this publisher the group's publisher, as the holder of {@code epoch} (a fencing token that grows with
     * every new holder; for logs, and the in-process bus refuses one lower than an earlier claim's). Every publisher of
     * the group that claimed before is fenced from then on. The future fails with {@link BusException} if the bus
     * could not be reached; the caller may claim again.
     */
    CompletableFuture<Void> claim(long epoch);

    /**
     * Publishes {@code records} on {@code topic}, all or nothing, in order. Fails with {@link FencedException} if
     * another publisher of the group claimed since this one's last claim (or this one never claimed): nothing of it is
     * then visible to subscribers, and every later publish fails the same way until this one claims again. Fails with
     * {@link BusException} if the bus could not take it; after that, claim again before the next publish.
     */
    CompletableFuture<Void> publish(Topic topic, List<KeyedValue> records);

    /** Releases the publisher's connections; pending calls fail. */
    @Override
    void close();
}
