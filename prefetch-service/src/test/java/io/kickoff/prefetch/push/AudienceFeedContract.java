package io.kickoff.prefetch.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.protocol.v1.AudienceSnapshot;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What every {@link AudienceFeed} does, whatever feeds it. */
abstract class AudienceFeedContract {
    static final Instant T0 = Instant.parse("2026-12-01T20:00:00Z");

    abstract AudienceFeed feed();

    /** Hands the feed a snapshot as its source would, and returns once the feed has seen it. */
    abstract void publish(AudienceSnapshot snapshot);

    @Test
    void holdsTheLatestSnapshotOfEachEvent() {
        AudienceSnapshot finalFirst = Snapshots.of("final", T0, Map.of("us-en", 10L));
        AudienceSnapshot semi = Snapshots.of("semi", T0, Map.of("uk-en", 3L));
        AudienceSnapshot finalLater = Snapshots.of("final", T0.plusSeconds(1), Map.of("us-en", 12L, "uk-en", 4L));
        publish(finalFirst);
        publish(semi);
        publish(finalLater);
        assertThat(feed().latest("final")).contains(finalLater);
        assertThat(feed().latest("semi")).contains(semi);
        assertThat(feed().latest("quarter")).isEmpty();
    }

    @Test
    void anEarlierSnapshotNeverReplacesALaterOne() {
        AudienceSnapshot later = Snapshots.of("final", T0.plusSeconds(5), Map.of("us-en", 50L));
        publish(later);
        publish(Snapshots.of("final", T0, Map.of("us-en", 1L)));
        assertThat(feed().latest("final")).contains(later);
    }
}
