package io.kickoff.lsm.store;

import io.kickoff.testkit.MutableClock;
import io.kickoff.lsm.event.LeaderLease;
import java.time.Duration;
import java.time.Instant;

class InMemoryLeaderLeaseTest extends LeaderLeaseContract {
    private final MutableClock clock = new MutableClock(Instant.parse("2030-06-01T18:00:00Z"));
    private final InMemoryLeaderLease lease = new InMemoryLeaderLease(clock);

    @Override
    protected LeaderLease lease() {
        return lease;
    }

    @Override
    protected void letTimePass(Duration duration) {
        clock.advance(duration);
    }
}
