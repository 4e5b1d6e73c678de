package io.kickoff.lsm.store;

import io.kickoff.lsm.event.EventStore;
import io.kickoff.lsm.event.InMemoryEventStore;
import io.kickoff.lsm.event.LeaderLease;
import java.time.Duration;

class InMemoryEventStoreTest extends EventStoreContract {
    private final InMemoryLeaderLease lease = new InMemoryLeaderLease(clock);
    private final InMemoryEventStore store = new InMemoryEventStore(clock, lease::currentEpoch);

    @Override
    protected LeaderLease lease() {
        return lease;
    }

    @Override
    protected EventStore store() {
        return store;
    }

    @Override
    protected void letTimePass(Duration duration) {
        clock.advance(duration);
    }
}
