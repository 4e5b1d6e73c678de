package io.kickoff.launcher;

import io.kickoff.gateway.Gateway;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Waiting for a gateway to be ready, and stopping one without a herd. */
final class GatewayLifecycle {
    private static final Logger log = LoggerFactory.getLogger(GatewayLifecycle.class);
    /** The drain completes by itself at window + grace; this only covers a node too busy to notice. */
    private static final Duration DRAIN_MARGIN = Duration.ofSeconds(3);

    private GatewayLifecycle() {
    }

    /**
     * Returns once the gateway has read the state of the world and accepts devices.
     *
     * @throws IllegalStateException if it is not ready within {@code timeout} (e.g. Kafka unreachable)
     */
    static void awaitReady(Gateway gateway, Duration timeout) throws InterruptedException {
        CompletableFuture<Void> ready = gateway.whenReady();
        try {
            ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the gateway did not read the state of the world from the bus within "
                    + timeout + ": is the bus reachable?");
        } catch (ExecutionException e) {
            throw new IllegalStateException("the gateway did not become ready: " + e.getCause(), e.getCause());
        } finally {
            ready.cancel(false);
        }
    }

    /**
     * Drains the gateway, then closes it: devices stay served until their own moment to leave,
     * spread over its drain window, then reconnect elsewhere; returns once the last device has left,
     * or at the latest after the window, the go-away grace and a margin.
     */
    static void drainThenClose(Gateway gateway) {
        Duration wait = drainWait(gateway.config().drainWindow());
        try {
            gateway.drain().get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("gateway {} did not drain cleanly ({}); closing it", gateway.config().nodeId(), e.toString());
        } finally {
            gateway.close();
        }
    }

    /** The longest a drain is waited for: the window, the go-away grace, and a margin for the last closes. */
    static Duration drainWait(Duration window) {
        return window.plus(Gateway.GO_AWAY_GRACE).plus(DRAIN_MARGIN);
    }
}
