package io.kickoff.lsm.store;

import io.kickoff.lsm.event.StoreUnavailableException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Turns Lettuce futures into the stores' futures: results mapped, failures bare (not wrapped in
 * {@link CompletionException}, as the in-memory store fails them), and every sign that Redis cannot be reached turned
 * into {@link StoreUnavailableException} so callers need to know only one exception for "try again later".
 */
final class RedisCalls {

    /** Server errors that mean "not now" rather than "never": loading after restart, busy script, failover. */
    private static final List<String> TRANSIENT_ERRORS =
            List.of("LOADING", "BUSY", "MASTERDOWN", "READONLY", "TRYAGAIN", "CLUSTERDOWN", "NOREPLICAS");

    private RedisCalls() {
    }

    /** What a reply becomes; may throw to fail the call with a domain exception. */
    @FunctionalInterface
    interface Reply<T, R> {
        R apply(T value) throws Exception;
    }

    /**
     * Issues {@code command} and maps its reply. Anything thrown while issuing (a rejected or malformed command, an
     * encoding error) fails the returned future too, so a caller never has to catch around a store call.
     */
    static <T, R> CompletableFuture<R> call(Supplier<? extends CompletionStage<T>> command, Reply<? super T, R> reply) {
        CompletionStage<T> stage;
        try {
            stage = command.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(translate(e));
        }
        CompletableFuture<R> result = new CompletableFuture<>();
        stage.whenComplete((value, error) -> {
            if (error != null) {
                result.completeExceptionally(translate(error));
                return;
            }
            try {
                result.complete(reply.apply(value));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    /** {@code work} builds a future; what it throws fails that future instead. */
    static <T> CompletableFuture<T> attempt(Supplier<CompletableFuture<T>> work) {
        try {
            return work.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(translate(e));
        }
    }

    static Throwable translate(Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof StoreUnavailableException) {
            return cause;
        }
        if (isUnavailable(cause)) {
            return new StoreUnavailableException("Redis unavailable: " + cause.getMessage(), cause);
        }
        return cause;
    }

    static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static boolean isUnavailable(Throwable t) {
        if (t instanceof RedisCommandExecutionException) {
            String message = t.getMessage();
            return message != null && TRANSIENT_ERRORS.stream().anyMatch(message::startsWith);
        }
        // Timeouts, refused or lost connections, "currently not connected", a full request queue, a closed connection.
        return t instanceof RedisException || t instanceof IOException || t instanceof CancellationException
                || t instanceof TimeoutException;
    }
}
