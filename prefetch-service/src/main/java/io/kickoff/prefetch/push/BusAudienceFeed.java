package io.kickoff.prefetch.push;

import com.google.protobuf.InvalidProtocolBufferException;
import io.kickoff.bus.BusRecord;
import io.kickoff.bus.EventBus;
import io.kickoff.bus.StartFrom;
import io.kickoff.bus.Subscription;
import io.kickoff.bus.Topic;
import io.kickoff.protocol.v1.AudienceSnapshot;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows {@code kickoff.audience} from the beginning (compacted: the latest snapshot of every event), keeping the
 * latest per event in memory. An unreadable record is logged and skipped; a tombstone forgets its event.
 */
public final class BusAudienceFeed implements AudienceFeed, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BusAudienceFeed.class);

    private final InMemoryAudienceFeed latest = new InMemoryAudienceFeed();
    private final Subscription subscription;

    public BusAudienceFeed(EventBus bus) {
        this.subscription = bus.subscribe(Topic.AUDIENCE, StartFrom.BEGINNING, this::onRecord);
    }

    /** Completes once the snapshots on the topic at start have been read. */
    public CompletableFuture<Void> caughtUp() {
        return subscription.caughtUp();
    }

    private void onRecord(BusRecord record) {
        if (record.value() == null) {
            if (record.key() != null) {
                latest.forget(record.key());
            }
            return;
        }
        AudienceSnapshot snapshot;
        try {
            snapshot = AudienceSnapshot.parseFrom(record.value());
        } catch (InvalidProtocolBufferException e) {
            log.warn("unreadable audience snapshot key={} offset={} skipped: {}", record.key(), record.offset(),
                    e.getMessage());
            return;
        }
        if (!latest.accept(snapshot) && snapshot.getEventId().isEmpty()) {
            log.warn("audience snapshot key={} offset={} without an event id skipped", record.key(), record.offset());
        }
    }

    @Override
    public Optional<AudienceSnapshot> latest(String eventId) {
        return latest.latest(eventId);
    }

    @Override
    public void close() {
        subscription.close();
    }
}
