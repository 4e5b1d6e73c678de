package io.kickoff.lsm.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.lsm.store.InMemoryLeaderLease;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class LeadershipTest {
    static final Duration TTL = Duration.ofHours(1);

    final InMemoryLeaderLease lease = new InMemoryLeaderLease();
    final Leadership a = new Leadership(lease, "lsm-a", TTL);
    final Leadership b = new Leadership(lease, "lsm-b", TTL);

    @Test
    void whenLeaderCompletesOnTheRenewalThatWinsTheLeaseAndAnewAfterTheLeadIsLost() throws Exception {
        CompletableFuture<Void> aLeads = a.whenLeader();
        assertThat(aLeads).isNotDone();
        a.renew();
        assertThat(aLeads).isCompleted();
        assertThat(a.whenLeader()).isCompleted(); // it leads: at once

        CompletableFuture<Void> bLeads = b.whenLeader();
        b.renew(); // a holds the lease
        assertThat(bLeads).isNotDone();

        a.release().get();
        assertThat(a.whenLeader()).isNotDone(); // no longer leading: waits for the next term
        b.renew();
        assertThat(bLeads).isCompleted();
        assertThat(b.isLeader()).isTrue();
    }

    @Test
    void aPendingWhenLeaderFailsWhenTheInstanceStopsAndItNeverLeadsAfterwards() {
        a.renew();
        CompletableFuture<Void> bLeads = b.whenLeader();
        b.stop();
        assertThat(bLeads).isCompletedExceptionally();

        a.release().join();
        b.renew();
        assertThat(b.isLeader()).isFalse();
        assertThat(b.whenLeader()).isCompletedExceptionally();
    }
}
