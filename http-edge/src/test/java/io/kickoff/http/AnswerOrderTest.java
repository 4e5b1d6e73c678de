package io.kickoff.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class AnswerOrderTest {
    final EmbeddedChannel channel = new EmbeddedChannel();
    final List<String> written = new ArrayList<>();
    final List<String> failures = new ArrayList<>();

    void queue(CompletableFuture<String> answer) {
        AnswerOrder.writeInTurn(channel, answer, written::add, error -> failures.add(error.getMessage()));
    }

    @Test
    void aLaterAnswerWaitsForTheEarlierOnes() {
        CompletableFuture<String> first = new CompletableFuture<>();
        CompletableFuture<String> second = new CompletableFuture<>();
        CompletableFuture<String> third = new CompletableFuture<>();
        queue(first);
        queue(second);
        queue(third);

        third.complete("3");
        second.complete("2");
        assertThat(written).isEmpty();
        first.complete("1");

        assertThat(written).containsExactly("1", "2", "3");
        channel.finishAndReleaseAll();
    }

    @Test
    void aFailedAnswerGoesToFailedAndTheNextWaitsForItsTurn() {
        CompletableFuture<String> first = new CompletableFuture<>();
        CompletableFuture<String> second = CompletableFuture.completedFuture("2");
        queue(first);
        queue(second);
        assertThat(written).isEmpty();

        first.completeExceptionally(new IllegalStateException("boom"));

        assertThat(failures).singleElement().asString().contains("boom");
        assertThat(written).containsExactly("2");
        channel.finishAndReleaseAll();
    }

    @Test
    void anAnswerAfterSettledOnesIsWrittenAtOnce() {
        queue(CompletableFuture.completedFuture("1"));
        queue(CompletableFuture.completedFuture("2"));
        assertThat(written).containsExactly("1", "2");
        channel.finishAndReleaseAll();
    }
}
