package io.kickoff.lsm.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kickoff.bus.KafkaBusConfig;
import io.kickoff.bus.KafkaEventBus;
import io.kickoff.bus.StartFrom;
import io.kickoff.bus.Topic;
import io.kickoff.bus.BusRecord;
import io.kickoff.bus.Subscription;
import io.kickoff.lsm.LiveStateManager;
import io.kickoff.lsm.schedule.OutboxRelay;
import io.kickoff.lsm.client.AdminClient;
import io.kickoff.lsm.client.AdminProblemException;
import io.kickoff.lsm.client.NewEventRequest;
import io.kickoff.lsm.client.ReadinessAnswer;
import io.kickoff.lsm.event.HistoryEntry;
import io.kickoff.lsm.testing.TestLiveStateManagers;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.StageUpdate;
import io.kickoff.testkit.TestKafka;
import io.kickoff.testkit.MutableClock;
import io.kickoff.testkit.TestRedis;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Live State Manager through faults, with a real Redis and a real Kafka: the bus goes away,
 * the store goes away, the leader dies. Every accepted change must reach the bus in order, with no
 * seq missing and no seq fired twice. A leader that dies between the bus ack and the removal of the
 * outbox entry leaves that entry for its successor to publish again: the very same update, which
 * consumers drop by (event, seq). That is at least once, not a second firing.
 */
class LiveStateManagerIT {
    static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    static final TestRedis redis = new TestRedis();
    @RegisterExtension
    static final TestKafka kafka = new TestKafka();
    @RegisterExtension
    final TestLiveStateManagers lsms = new TestLiveStateManagers();

    /**
     * The instances' clock: timers come due when a test advances it, not after a wait. What Redis
     * measures itself (the leader lease's PX, renewed on real time) and the store's command timeouts
     * still run on real time. The store keeps timers in whole milliseconds, rounded up, so a timer is
     * due once the clock is past it.
     */
    final MutableClock clock = new MutableClock(Instant.now());
    final List<StageUpdate> published = new CopyOnWriteArrayList<>();
    String prefix;

    @BeforeEach
    void watchTheBus() {
        redis.start();
        kafka.start();
        prefix = "it" + UUID.randomUUID().toString().substring(0, 6) + ":";
        KafkaEventBus watcher = lsms.closeAfter(new KafkaEventBus(KafkaBusConfig.of(kafka.bootstrapServers()).withClientId("watcher")));
        watcher.subscribe(Topic.STAGES, StartFrom.NOW, r -> {
            try {
                published.add(StageUpdate.parseFrom(r.value()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @AfterEach
    void serversBack() {
        // Before the instances close (the extension closes them after this), so they stop on live servers.
        redis.start();
        kafka.start();
    }

    LiveStateManager lsm(String nodeId, Duration leaseTtl) throws Exception {
        return lsm(nodeId, leaseTtl, OutboxRelay.BeforePublish.NONE);
    }

    LiveStateManager lsm(String nodeId, Duration leaseTtl, OutboxRelay.BeforePublish beforePublish) throws Exception {
        return lsm(nodeId, leaseTtl, beforePublish, Duration.ofSeconds(2));
    }

    LiveStateManager lsm(String nodeId, Duration leaseTtl, OutboxRelay.BeforePublish beforePublish,
                         Duration storeTimeout) throws Exception {
        KafkaEventBus bus = lsms.closeAfter(new KafkaEventBus(KafkaBusConfig.of(kafka.bootstrapServers()).withClientId(nodeId)));
        // Each test has its own relay group, as it has its own key prefix.
        return lsms.start(nodeId, lsms.onRedis(redis.uri(), prefix, storeTimeout, clock), bus, clock,
                c -> c.withLeaseTtl(leaseTtl).withRelayGroup(prefix + "outbox"), beforePublish);
    }

    static AdminClient admin(LiveStateManager lsm) {
        return TestLiveStateManagers.admin(lsm);
    }

    /** The {@code /readyz} status and the state of one of its checks, e.g. {@code 503 bus=down}. */
    String readiness(LiveStateManager lsm, String check) {
        ReadinessAnswer ready = admin(lsm).readiness();
        return ready.status() + " " + check + "=" + ready.check(check);
    }

    /** Creates the event; returns the status it was created with (201). */
    static int create(LiveStateManager lsm, String id, Instant start, Duration prefetchLead, Duration preShowLead) {
        return admin(lsm).createEvent(NewEventRequest.of(id, "The Final", start).withLeads(prefetchLead, preShowLead))
                .status();
    }

    /** Moves the event; returns the status it moved with (200). */
    static int transition(LiveStateManager lsm, String id, Stage to) {
        return admin(lsm).transition(id, to).status();
    }

    List<Long> seqsOf(String eventId) {
        return published.stream().filter(u -> u.getEventId().equals(eventId)).map(StageUpdate::getSeq).toList();
    }

    /**
     * What reached the bus for one event, each update once, in order of first sighting. A re-published
     * outbox entry is the very update already sent; a second firing would be a different update
     * (another seq or stage) and show up here.
     */
    List<StageUpdate> updatesOf(String eventId) {
        return published.stream().filter(u -> u.getEventId().equals(eventId)).distinct().toList();
    }

    void assertFiredOnceEachInOrder(String eventId, Stage... stages) {
        List<StageUpdate> updates = updatesOf(eventId);
        assertThat(updates).as(eventId).extracting(StageUpdate::getSeq)
                .containsExactly(LongStream.rangeClosed(1, stages.length).boxed().toArray(Long[]::new));
        assertThat(updates).as(eventId).extracting(StageUpdate::getStage).containsExactly(stages);
    }

    @Test
    void withKafkaDownTheApiStillSucceedsAndUpdatesReachTheBusInOrderWhenItReturns() throws Exception {
        LiveStateManager lsm = lsm("lsm-a", Duration.ofSeconds(2));
        TestLiveStateManagers.leading(lsm);
        assertThat(create(lsm, "kafka-down", clock.instant().plus(Duration.ofDays(1)),
                Duration.ofMinutes(30), Duration.ofMinutes(5))).isEqualTo(201);

        kafka.stop();
        for (Stage to : List.of(Stage.PREFETCH, Stage.PRE_SHOW, Stage.LIVE)) {
            assertThat(transition(lsm, "kafka-down", to)).as(to.name()).isEqualTo(200);
        }
        assertThat(seqsOf("kafka-down")).isEmpty();
        kafka.start();

        await().atMost(WAIT).until(() -> seqsOf("kafka-down").contains(3L));
        assertFiredOnceEachInOrder("kafka-down", Stage.PREFETCH, Stage.PRE_SHOW, Stage.LIVE);
    }

    @Test
    void withRedisDownTheApiAnswers503AndTheSchedulerCatchesUpAfterwardsWithNothingDoubled() throws Exception {
        LiveStateManager lsm = lsm("lsm-a", Duration.ofSeconds(2));
        TestLiveStateManagers.leading(lsm);
        Instant start = clock.instant().plusSeconds(4);
        assertThat(create(lsm, "redis-down", start, Duration.ofSeconds(3), Duration.ofSeconds(2))).isEqualTo(201);

        redis.stop();
        assertThatThrownBy(() -> transition(lsm, "redis-down", Stage.CANCELLED))
                .isInstanceOfSatisfying(AdminProblemException.class, refused -> {
                    assertThat(refused.status()).isEqualTo(503);
                    assertThat(refused.retryAfter()).isPresent();
                });
        // Every timer of the event comes due while the store is away, and the instance knows it is away.
        clock.advance(Duration.ofSeconds(5));
        await().atMost(WAIT).until(() -> readiness(lsm, "store").equals("503 store=down"));
        assertThat(seqsOf("redis-down")).isEmpty();
        redis.start();

        await().atMost(WAIT).until(() -> seqsOf("redis-down").contains(3L));
        assertFiredOnceEachInOrder("redis-down", Stage.PREFETCH, Stage.PRE_SHOW, Stage.LIVE);
        List<HistoryEntry> history = lsm.events().history("redis-down").join();
        assertThat(history).extracting(HistoryEntry::reason).containsExactly("created", "scheduled", "scheduled", "scheduled");
    }

    @Test
    void whenTheLeaderDiesAnotherInstanceTakesOverAndNoTransitionIsMissedOrFiredTwice() throws Exception {
        LiveStateManager a = lsm("lsm-a", Duration.ofSeconds(1));
        TestLiveStateManagers.leading(a);
        LiveStateManager b = lsm("lsm-b", Duration.ofSeconds(1));
        assertThat(b.isLeader()).isFalse();
        Instant start = clock.instant().plusSeconds(5);
        for (int i = 0; i < 5; i++) {
            assertThat(create(b, "takeover-" + i, start.plusMillis(300L * i), Duration.ofSeconds(3),
                    Duration.ofSeconds(1))).isEqualTo(201);
        }
        clock.advance(Duration.ofMillis(2_100)); // takeover-0's PREFETCH (start - 3 s) comes due, on a's watch
        await().atMost(WAIT).until(() -> seqsOf("takeover-0").contains(1L));
        a.crash();   // no lease release: b must wait for it to expire (on Redis's own clock)
        // Every other timer comes due while nobody leads.
        clock.advance(Duration.ofSeconds(5));

        TestLiveStateManagers.leading(b);
        for (int i = 0; i < 5; i++) {
            String id = "takeover-" + i;
            await().atMost(WAIT).until(() -> seqsOf(id).contains(3L));
            assertFiredOnceEachInOrder(id, Stage.PREFETCH, Stage.PRE_SHOW, Stage.LIVE);
        }
    }

    /** Holds a relay between reading its batch and publishing it, as a pause (GC, SIGSTOP) at the worst moment would. */
    static final class Hold implements OutboxRelay.BeforePublish {
        volatile boolean armed;
        final CountDownLatch holding = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public void batchRead(List<io.kickoff.lsm.event.OutboxEntry> batch) {
            if (!armed) {
                return;
            }
            armed = false;
            holding.countDown();
            try {
                release.await(2, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Every stage update on the topic now, as a gateway started now reads it: from the beginning, committed only. */
    List<StageUpdate> readTheTopicBack() throws Exception {
        List<StageUpdate> all = new CopyOnWriteArrayList<>();
        KafkaEventBus reader = lsms.closeAfter(new KafkaEventBus(KafkaBusConfig.of(kafka.bootstrapServers()).withClientId("late-reader")));
        Subscription subscription = reader.subscribe(Topic.STAGES, StartFrom.BEGINNING, (BusRecord r) -> {
            try {
                all.add(StageUpdate.parseFrom(r.value()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        subscription.caughtUp().get(60, TimeUnit.SECONDS);
        subscription.close();
        return List.copyOf(all);
    }

    @Test
    void aLeaderHeldBetweenCommitAndPublishNeverPublishesAfterTheInstanceThatTookOver() throws Exception {
        Hold hold = new Hold();
        LiveStateManager a = lsm("lsm-a", Duration.ofSeconds(1), hold);
        TestLiveStateManagers.leading(a);
        LiveStateManager b = lsm("lsm-b", Duration.ofSeconds(1));
        assertThat(create(a, "deposed", clock.instant().plus(Duration.ofDays(1)),
                Duration.ofMinutes(30), Duration.ofMinutes(5))).isEqualTo(201);

        // a commits seq 1 and its relay stalls holding it; stalled, it cannot renew its lease either.
        hold.armed = true;
        assertThat(transition(a, "deposed", Stage.PREFETCH)).isEqualTo(200);
        assertThat(hold.holding.await(60, TimeUnit.SECONDS)).isTrue();

        // b takes over, publishes seq 1 from the outbox, then a newer update.
        TestLiveStateManagers.leading(b);
        await().atMost(WAIT).until(() -> seqsOf("deposed").contains(1L));
        assertThat(transition(b, "deposed", Stage.PRE_SHOW)).isEqualTo(200);
        await().atMost(WAIT).until(() -> seqsOf("deposed").contains(2L));

        // a wakes up and goes on with what it held: the bus refuses it, and it steps down.
        hold.release.countDown();
        await().during(Duration.ofSeconds(5)).atMost(WAIT)
                .until(() -> seqsOf("deposed"), org.hamcrest.Matchers.equalTo(List.of(1L, 2L)));
        assertThat(a.isLeader()).isFalse();
        assertThat(a.relayed()).isZero();

        // What a gateway started now learns: per key, seqs only grow, and the last record (the one compaction keeps)
        // is the newest stage.
        List<StageUpdate> onTheTopic = readTheTopicBack().stream().filter(u -> u.getEventId().equals("deposed")).toList();
        assertThat(onTheTopic).extracting(StageUpdate::getSeq).containsExactly(1L, 2L);
        assertThat(onTheTopic.get(onTheTopic.size() - 1).getStage()).isEqualTo(Stage.PRE_SHOW);

        // The new leader goes on relaying.
        assertThat(transition(b, "deposed", Stage.LIVE)).isEqualTo(200);
        await().atMost(WAIT).until(() -> seqsOf("deposed").contains(3L));
        assertFiredOnceEachInOrder("deposed", Stage.PREFETCH, Stage.PRE_SHOW, Stage.LIVE);
    }

    @Test
    void duringAKafkaOutageReadinessSaysTheBusIsDownWithinSecondsAndUpWhenItReturns() throws Exception {
        LiveStateManager lsm = lsm("lsm-a", Duration.ofSeconds(2));
        await().atMost(WAIT).until(() -> readiness(lsm, "bus").equals("200 bus=up"));

        kafka.stop();
        // Seconds, not the producer's two-minute delivery timeout.
        await().atMost(Duration.ofSeconds(30)).until(() -> readiness(lsm, "bus").equals("503 bus=down"));
        assertThat(readiness(lsm, "store")).isEqualTo("503 store=up");

        kafka.start();
        await().atMost(WAIT).until(() -> readiness(lsm, "bus").equals("200 bus=up"));
    }

    @Test
    void duringARedisOutageReadinessAnswersAtOnceThatTheStoreIsDown() throws Exception {
        // A store command timeout far longer than the wait below: a /readyz that asked Redis itself would hang
        // for it, one answered from the last probe comes back while Redis is still down.
        LiveStateManager lsm = lsm("lsm-a", Duration.ofSeconds(2), OutboxRelay.BeforePublish.NONE, Duration.ofMinutes(5));
        await().atMost(WAIT).until(() -> readiness(lsm, "store").equals("200 store=up"));

        redis.stop();
        await().atMost(Duration.ofSeconds(60)).until(() -> readiness(lsm, "store").equals("503 store=down"));
        assertThat(readiness(lsm, "store")).isEqualTo("503 store=down");

        redis.start();
        await().atMost(WAIT).until(() -> readiness(lsm, "store").equals("200 store=up"));
    }
}
