package io.kickoff.lsm.store;

import io.kickoff.lsm.idempotency.Idempotency;
import io.kickoff.lsm.idempotency.InMemoryIdempotency;
import java.time.Duration;

class InMemoryIdempotencyTest extends IdempotencyContract {
    private final InMemoryIdempotency idempotency = new InMemoryIdempotency(clock);

    @Override
    protected Idempotency idempotency() {
        return idempotency;
    }

    @Override
    protected void letTimePass(Duration duration) {
        clock.advance(duration);
    }
}
