package io.kickoff.gateway;

import io.kickoff.bus.EventBus;
import io.kickoff.bus.Topic;
import io.kickoff.protocol.v1.Viewing;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the node's viewing signals on {@code kickoff.viewing}, keyed by device id, in batches: event loops only
 * queue a signal ({@link #offer}); a thread of its own takes up to {@code batchSize} of them every
 * {@code flushInterval}, or as soon as that many are queued, and hands them to the bus together, so the producer
 * sends them in one request per partition. One batch is in flight at a time: while the bus is slow, signals wait in
 * the bounded {@link ViewingQueue} (which drops the oldest heartbeats first), not in the producer. A batch the bus
 * refused goes back to the queue and is tried again.
 */
final class ViewingPublisher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ViewingPublisher.class);

    private final ViewingQueue queue;
    private final EventBus bus;
    private final GatewayConfig.ViewingSignals settings;
    private final ScheduledExecutorService scheduler;
    private final AtomicBoolean inFlight = new AtomicBoolean();
    private final AtomicBoolean started = new AtomicBoolean();
    private final LongAdder published = new LongAdder();

    ViewingPublisher(EventBus bus, GatewayConfig.ViewingSignals settings, String nodeId) {
        this.queue = new ViewingQueue(settings.maxQueued());
        this.bus = bus;
        this.settings = settings;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "viewing-publisher-" + nodeId);
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts publishing every flush interval until closed. */
    ViewingPublisher start() {
        if (started.compareAndSet(false, true)) {
            long every = settings.flushInterval().toNanos();
            scheduler.scheduleWithFixedDelay(this::flush, every, every, TimeUnit.NANOSECONDS);
        }
        return this;
    }

    /** Queues a signal (any thread, never blocks); a full batch is published without waiting for the interval. */
    void offer(Viewing viewing) {
        if (queue.offer(viewing) >= settings.batchSize() && started.get() && !inFlight.get()) {
            submitFlush();
        }
    }

    private void submitFlush() {
        try {
            scheduler.execute(this::flush);
        } catch (RejectedExecutionException closed) {
            // Closing: what is queued is not published.
        }
    }

    /** Publishes one batch unless one is in flight. Runs on the publisher's thread. */
    void flush() {
        // Never let an exception escape: a scheduled task that throws is never run again.
        try {
            if (!inFlight.compareAndSet(false, true)) {
                return;
            }
            List<Viewing> batch = queue.take(settings.batchSize());
            if (batch.isEmpty()) {
                inFlight.set(false);
                return;
            }
            List<CompletableFuture<Void>> sent = new ArrayList<>(batch.size());
            for (Viewing viewing : batch) {
                sent.add(bus.publish(Topic.VIEWING, viewing.getDeviceId(), viewing.toByteArray()));
            }
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).whenComplete((ok, error) -> done(batch, sent));
        } catch (RuntimeException e) {
            inFlight.set(false);
            log.warn("viewing signals not published; the next interval tries again", e);
        }
    }

    private void done(List<Viewing> batch, List<CompletableFuture<Void>> sent) {
        List<Viewing> refused = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            if (sent.get(i).isCompletedExceptionally()) {
                refused.add(batch.get(i));
            }
        }
        published.add(batch.size() - refused.size());
        if (!refused.isEmpty()) {
            log.warn("{} viewing signals not published, queued again: {}", refused.size(),
                    sent.stream().filter(CompletableFuture::isCompletedExceptionally).findFirst()
                            .map(f -> f.handle((v, e) -> String.valueOf(e)).join()).orElse("?"));
            queue.putBack(refused);
        }
        inFlight.set(false);
        // More than a batch waiting: go on at once rather than at the next interval; after a refusal, wait for it.
        if (refused.isEmpty() && queue.size() >= settings.batchSize()) {
            submitFlush();
        }
    }

    /** Signals waiting to be published. */
    int queued() {
        return queue.size();
    }

    /** Signals the bus accepted. */
    long published() {
        return published.sum();
    }

    /** Signals dropped because the queue was full. */
    long dropped() {
        return queue.dropped();
    }

    /** Up to {@code max} queued signals, removed (for tests that read what was queued). */
    List<Viewing> drainQueued(int max) {
        return queue.take(max);
    }

    /** Stops publishing; a batch in flight may still complete. Safe to call twice. */
    @Override
    public void close() {
        scheduler.shutdown();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
