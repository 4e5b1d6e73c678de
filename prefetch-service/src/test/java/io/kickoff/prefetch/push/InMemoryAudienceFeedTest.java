package io.kickoff.prefetch.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.protocol.v1.AudienceSnapshot;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InMemoryAudienceFeedTest extends AudienceFeedContract {
    final InMemoryAudienceFeed feed = new InMemoryAudienceFeed();

    @Override
    AudienceFeed feed() {
        return feed;
    }

    @Override
    void publish(AudienceSnapshot snapshot) {
        feed.accept(snapshot);
    }


    @Test
    void aForgottenEventHasNoAudience() {
        feed.accept(Snapshots.of("final", T0, Map.of("us-en", 10L)));
        feed.forget("final");
        assertThat(feed.latest("final")).isEmpty();
    }

    @Test
    void aSnapshotWithoutAnEventIdIsRefused() {
        assertThat(feed.accept(Snapshots.of("", T0, Map.of("us-en", 1L)))).isFalse();
        assertThat(feed.latest("")).isEmpty();
    }
}
