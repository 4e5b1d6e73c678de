package io.kickoff.launcher;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * How a long-running command waits for Ctrl-C / SIGTERM and still cleans up in its own thread: the
 * shutdown hook only asks the command to stop, then holds the JVM until the command says it is done
 * (or a grace period passes). Tests can ask for a stop without a signal.
 */
final class UntilStopped {
    private final CompletableFuture<Void> requested = new CompletableFuture<>();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final long graceMillis;
    private Thread hook;

    /** @param graceMillis how long a signal waits for the command's clean-up before the JVM halts */
    UntilStopped(long graceMillis) {
        this.graceMillis = graceMillis;
    }

    /** Registers the shutdown hook; call before starting anything that needs a clean stop. */
    synchronized UntilStopped install() {
        if (hook == null) {
            hook = new Thread(() -> {
                requested.complete(null);
                try {
                    finished.await(graceMillis, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "kickoff-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
        }
        return this;
    }

    /** Asks the command to stop, as a signal would. */
    void request() {
        requested.complete(null);
    }

    boolean isRequested() {
        return requested.isDone();
    }

    /** Completes when a stop is requested. */
    CompletableFuture<Void> requested() {
        return requested;
    }

    void await() throws InterruptedException {
        try {
            requested.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits for a stop request for at most {@code millis}; true if one came. */
    boolean await(long millis) throws InterruptedException {
        try {
            requested.get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The command has cleaned up: lets a pending signal finish and drops the hook if no signal came. */
    synchronized void finished() {
        finished.countDown();
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is already stopping; the hook returns at once now
            }
        }
        hook = null;
    }
}
