package io.kickoff.lsm.store;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waiting on store futures in tests, with a generous bound so that a hang fails the test instead of the build. */
final class Futures {
    static final long BOUND_SECONDS = 15;

    private Futures() {
    }

    /** The value of {@code stage}; an {@link AssertionError} (so Awaitility retries) if it fails or hangs. */
    static <T> T done(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(BOUND_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("expected success, failed with " + unwrap(e), unwrap(e));
        } catch (TimeoutException e) {
            throw new AssertionError("no answer within " + BOUND_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Why {@code stage} failed, unwrapped; an {@link AssertionError} if it succeeds or hangs. */
    static Throwable failure(CompletionStage<?> stage) {
        return failure(stage, Duration.ofSeconds(BOUND_SECONDS));
    }

    /** Why {@code stage} failed, unwrapped; an {@link AssertionError} unless it fails within {@code bound}. */
    static Throwable failure(CompletionStage<?> stage, Duration bound) {
        try {
            Object value = stage.toCompletableFuture().get(bound.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("expected a failure, got " + value);
        } catch (ExecutionException e) {
            return unwrap(e);
        } catch (TimeoutException e) {
            throw new AssertionError("no answer within " + bound, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
