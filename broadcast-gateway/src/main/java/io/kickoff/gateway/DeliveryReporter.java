package io.kickoff.gateway;

import io.kickoff.bus.EventBus;
import io.kickoff.bus.Topic;
import io.kickoff.protocol.v1.DeliveryReport;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes this node's {@link DeliveryStats#snapshot()} on {@code kickoff.delivery}, keyed by
 * node id, at a fixed interval. The report doubles as presence, so one failed publish is logged
 * and the next interval tries again. Runs on its own daemon thread: snapshotting folds and
 * encodes histograms, which must never steal time from an event loop.
 */
final class DeliveryReporter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeliveryReporter.class);

    private final DeliveryStats stats;
    private final EventBus bus;
    private final ScheduledExecutorService scheduler;
    private final LongAdder published = new LongAdder();
    private final LongAdder failed = new LongAdder();

    private DeliveryReporter(DeliveryStats stats, EventBus bus, Duration interval) {
        this.stats = Objects.requireNonNull(stats, "stats");
        this.bus = Objects.requireNonNull(bus, "bus");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("report interval must be positive");
        }
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "delivery-reporter-" + stats.nodeId());
            t.setDaemon(true);
            return t;
        });
        // First report at once: the node is present as soon as it starts.
        scheduler.scheduleAtFixedRate(this::publishOnce, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Starts reporting every {@code interval} until closed. */
    public static DeliveryReporter start(DeliveryStats stats, EventBus bus, Duration interval) {
        return new DeliveryReporter(stats, bus, interval);
    }

    private void publishOnce() {
        // Never let an exception escape: a scheduled task that throws is never run again.
        try {
            DeliveryReport report = stats.snapshot();
            bus.publish(Topic.DELIVERY, stats.nodeId(), report.toByteArray()).whenComplete((ok, error) -> {
                if (error == null) {
                    published.increment();
                } else {
                    failed.increment();
                    log.warn("delivery report of {} not published: {}", stats.nodeId(), error.toString());
                }
            });
        } catch (RuntimeException e) {
            failed.increment();
            log.warn("delivery report of {} failed; next interval retries", stats.nodeId(), e);
        }
    }

    /** Reports the bus accepted. */
    public long published() {
        return published.sum();
    }

    /** Reports that could not be built or published. */
    public long failed() {
        return failed.sum();
    }

    /** Stops reporting; a publish already in flight may still complete. Safe to call twice. */
    @Override
    public void close() {
        // shutdown, not shutdownNow: interrupting a publish in progress could upset the bus client.
        scheduler.shutdown();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
