package io.kickoff.http;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Answers to pipelined requests in request order (RFC 9112 §9.3.2), whatever order the work behind them finishes in:
 * each answer is written once every answer queued before it on the connection has been.
 */
public final class AnswerOrder {
    /** The answer last queued on a connection: the next one is written after it. */
    private static final AttributeKey<CompletableFuture<Void>> LAST = AttributeKey.valueOf("kickoff.http.last-answer");

    private AnswerOrder() {
    }

    /**
     * Queues {@code answer} on {@code channel}: {@code write} gets it in its turn; if it fails, or {@code write}
     * throws, {@code failed} gets the error instead (e.g. to log and close). Call on the channel's event loop, once
     * per request, in request order.
     */
    public static <T> void writeInTurn(Channel channel, CompletableFuture<T> answer, Consumer<T> write,
                                       Consumer<Throwable> failed) {
        CompletableFuture<Void> previous = channel.attr(LAST).get();
        CompletableFuture<T> inTurn = previous == null || previous.isDone()
                ? answer : previous.thenCombine(answer, (v, a) -> a);
        channel.attr(LAST).set(inTurn.thenAccept(write).exceptionally(error -> {
            failed.accept(error);
            return null;
        }));
    }
}
