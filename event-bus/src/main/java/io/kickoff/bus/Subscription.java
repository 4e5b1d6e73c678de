package io.kickoff.bus;

import java.util.concurrent.CompletableFuture;

/**
 * A live subscription. Closing it stops delivery: once {@link #close()} returns (when called from
 * outside the handler), the handler is not running and will not be called again. Safe to close twice.
 */
public interface Subscription extends AutoCloseable {

    /**
     * Completes once every record that was on the topic when the subscription started has been
     * handed to the handler (immediately for {@link StartFrom#NOW}). A service that must know the
     * state of the world before it serves waits for this.
     */
    CompletableFuture<Void> caughtUp();

    @Override
    void close();
}
