package io.kickoff.audience;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running audience instance: the topology on Kafka Streams. Every state change is logged. An exception that
 * kills a stream thread shuts the whole instance down ({@code SHUTDOWN_CLIENT}, state {@code ERROR}) rather than
 * replacing the thread: what gets there (a fenced producer that cannot recover, a broken state directory, a broker
 * refusing the application) would only kill the replacement too, and the process that runs this instance should exit
 * with the reason so that its supervisor restarts it and the group moves its tasks meanwhile. {@link #failed()}
 * completes with that reason.
 */
public final class AudienceService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AudienceService.class);

    private final KafkaStreams streams;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final CompletableFuture<Throwable> failed = new CompletableFuture<>();
    private StreamsMeters streamsMeters;

    public AudienceService(AudienceSettings settings, AudienceStreamsConfig config) {
        this.streams = new KafkaStreams(AudienceTopology.build(settings), config.properties());
        streams.setStateListener((now, before) -> {
            switch (now) {
                case RUNNING -> log.info("audience {}: RUNNING (was {})", config.applicationId(), before);
                case ERROR -> {
                    Throwable cause = failure.get();
                    log.error("audience {}: ERROR (was {}): {}", config.applicationId(), before,
                            cause == null ? "no stream thread left" : cause.toString(), cause);
                    failed.complete(cause == null ? new IllegalStateException("no stream thread left") : cause);
                }
                default -> log.info("audience {}: {} (was {})", config.applicationId(), now, before);
            }
        });
        streams.setUncaughtExceptionHandler(e -> {
            failure.compareAndSet(null, e);
            log.error("audience {}: a stream thread died, shutting the instance down", config.applicationId(), e);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
    }

    public void start() {
        streams.start();
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Ready to count: every thread runs with its tasks assigned ({@code RUNNING}); not while rebalancing or failed. */
    public boolean isReady() {
        return streams.state() == KafkaStreams.State.RUNNING;
    }

    /** Completes with the cause once the instance has failed (state {@code ERROR}); never if it is closed first. */
    public CompletableFuture<Throwable> failed() {
        return failed;
    }

    /** The cause of the failure, if the instance failed. */
    public Optional<Throwable> failure() {
        return failed.isDone() ? Optional.of(failed.join()) : Optional.empty();
    }

    /** Registers {@code kickoff.audience.ready} (1 while {@link #isReady()}) in the node's {@code registry}. */
    public void bindMetrics(MeterRegistry registry) {
        Gauge.builder("kickoff.audience.ready", this, s -> s.isReady() ? 1 : 0)
                .description("1 while the audience instance runs with its tasks assigned (Kafka Streams RUNNING)")
                .register(registry);
    }

    /** Kafka Streams' own metrics of this instance, labelled {@code node=nodeId} (see {@link StreamsMeters}); closed with it. */
    public synchronized StreamsMeters streamsMeters(String nodeId) {
        if (streamsMeters == null) {
            streamsMeters = new StreamsMeters(streams, nodeId);
        }
        return streamsMeters;
    }

    /**
     * Stops the instance and leaves the group at once, so the others take its partitions over now rather than after
     * the session timeout (tens of seconds without a count for the events it had).
     */
    @Override
    public synchronized void close() {
        streams.close(CloseOptions.timeout(Duration.ofSeconds(30))
                .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        if (streamsMeters != null) {
            streamsMeters.close();
        }
    }
}
