package io.kickoff.lsm.store;

import io.kickoff.lsm.event.EventStore;
import io.kickoff.lsm.event.InMemoryEventStore;
import java.time.Duration;

class InMemoryEventStoreTest extends EventStoreContract {
    private final InMemoryEventStore store = new InMemoryEventStore(clock);

    @Override
    protected EventStore store() {
        return store;
    }

    @Override
    protected void letTimePass(Duration duration) {
        clock.advance(duration);
    }
}
