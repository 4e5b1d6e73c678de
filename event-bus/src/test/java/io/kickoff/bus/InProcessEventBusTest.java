package io.kickoff.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InProcessEventBusTest extends EventBusContract {

    @Override
    protected EventBus newBus() {
        return new InProcessEventBus(3);
    }

    @Test
    void plainTopicsRetainABoundedTail() {
        Topic topic = new Topic("tail", false);
        for (int i = 0; i < 10; i++) {
            bus.publish(topic, "k", ("" + i).getBytes(StandardCharsets.UTF_8)).join();
        }
        Received received = new Received();
        bus.subscribe(topic, StartFrom.BEGINNING, received).caughtUp().orTimeout(5, TimeUnit.SECONDS).join();
        assertThat(received.values()).containsExactly("7", "8", "9");
    }

    @Test
    void compactedTopicReplaysOnlyTheLatestPerKey() {
        Topic topic = new Topic("compact", true);
        for (int i = 0; i < 10; i++) {
            bus.publish(topic, "k" + (i % 2), ("" + i).getBytes(StandardCharsets.UTF_8)).join();
        }
        Received received = new Received();
        bus.subscribe(topic, StartFrom.BEGINNING, received).caughtUp().orTimeout(5, TimeUnit.SECONDS).join();
        assertThat(received.values()).containsExactly("8", "9");
    }

    @Test
    void aTopicCannotChangeItsCompaction() {
        bus.publish(new Topic("t", true), "k", new byte[0]).join();
        assertThatThrownBy(() -> bus.publish(new Topic("t", false), "k", new byte[0]))
                .isInstanceOf(BusException.class).hasMessageContaining("compacted=true");
    }

    @Test
    void aClaimWithAnOlderEpochThanAnEarlierOneIsRefused() {
        try (FencedPublisher current = bus.fencedPublisher("g"); FencedPublisher stale = bus.fencedPublisher("g")) {
            current.claim(7).join();
            assertThat(stale.claim(6)).failsWithin(java.time.Duration.ofSeconds(5))
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .withCauseInstanceOf(FencedException.class);
            // The refused claim fenced nobody.
            current.publish(new Topic("fenced", true), java.util.List.of(new KeyedValue("k", new byte[] {1}))).join();
        }
    }

    @Test
    void aClosedBusIsNotAvailable() {
        bus.close();
        assertThat(bus.isAvailable()).isFalse();
    }
}
