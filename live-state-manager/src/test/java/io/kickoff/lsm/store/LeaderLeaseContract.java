package io.kickoff.lsm.store;

import static io.kickoff.lsm.store.Futures.done;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kickoff.lsm.event.LeaderLease;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** What every {@link LeaderLease} must do, run against each implementation. */
abstract class LeaderLeaseContract {
    static final Duration LONG = Duration.ofSeconds(30);

    /** The lease as one node sees it; free at the start of each test. */
    protected abstract LeaderLease lease();

    /** The same lease as another node sees it (another connection, for Redis); by default the same object. */
    protected LeaderLease otherNode() {
        return lease();
    }

    /** Lets {@code duration} pass as the lease sees time: moves a clock, or waits for real time to pass. */
    protected abstract void letTimePass(Duration duration);

    /** A TTL short enough to watch it expire. */
    protected Duration shortTtl() {
        return Duration.ofMillis(300);
    }

    @Test
    void onlyOneNodeHoldsTheLease() {
        Optional<Long> a = done(lease().acquireOrRenew("node-a", LONG));
        Optional<Long> b = done(otherNode().acquireOrRenew("node-b", LONG));

        assertThat(a).isPresent();
        assertThat(b).isEmpty();
    }

    @Test
    void theHolderRenewsAndKeepsItsFencingToken() {
        long token = done(lease().acquireOrRenew("node-a", LONG)).orElseThrow();

        assertThat(done(lease().acquireOrRenew("node-a", LONG))).contains(token);
        assertThat(done(lease().acquireOrRenew("node-a", LONG))).contains(token);
        assertThat(done(otherNode().acquireOrRenew("node-b", LONG))).isEmpty();
    }

    @Test
    void anExpiredLeasePassesToAnotherNodeWithAHigherToken() {
        long first = done(lease().acquireOrRenew("node-a", shortTtl())).orElseThrow();

        letTimePass(shortTtl().multipliedBy(2));

        long second = await().atMost(Duration.ofSeconds(10))
                .until(() -> done(otherNode().acquireOrRenew("node-b", LONG)), Optional::isPresent).orElseThrow();
        assertThat(second).isGreaterThan(first);
        // The deposed node cannot renew: it must take the lease anew, and it is taken.
        assertThat(done(lease().acquireOrRenew("node-a", LONG))).isEmpty();
    }

    @Test
    void releaseFreesTheLeaseOnlyForItsHolder() {
        long first = done(lease().acquireOrRenew("node-a", LONG)).orElseThrow();

        done(otherNode().release("node-b"));
        assertThat(done(otherNode().acquireOrRenew("node-b", LONG))).isEmpty();

        done(lease().release("node-a"));
        long second = done(otherNode().acquireOrRenew("node-b", LONG)).orElseThrow();
        assertThat(second).isGreaterThan(first);
    }

    @Test
    void takingTheLeaseAgainAfterReleasingItGivesANewToken() {
        long first = done(lease().acquireOrRenew("node-a", LONG)).orElseThrow();
        done(lease().release("node-a"));

        assertThat(done(lease().acquireOrRenew("node-a", LONG))).hasValueSatisfying(
                token -> assertThat(token).isGreaterThan(first));
    }

    @Test
    void amongSimultaneousContendersExactlyOneWins() throws Exception {
        int contenders = 12;
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<CompletableFuture<Optional<Long>>>> attempts = new ArrayList<>();
            for (int i = 0; i < contenders; i++) {
                String node = "node-" + i;
                LeaderLease lease = i % 2 == 0 ? lease() : otherNode();
                attempts.add(pool.submit(() -> {
                    go.await();
                    return lease.acquireOrRenew(node, LONG);
                }));
            }
            go.countDown();
            int leaders = 0;
            for (Future<CompletableFuture<Optional<Long>>> attempt : attempts) {
                if (done(attempt.get()).isPresent()) {
                    leaders++;
                }
            }
            assertThat(leaders).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }
}
