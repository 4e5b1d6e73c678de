package io.kickoff.lsm.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kickoff.bus.KafkaBusConfig;
import io.kickoff.bus.KafkaEventBus;
import io.kickoff.bus.StartFrom;
import io.kickoff.bus.Topic;
import io.kickoff.lsm.LiveStateManager;
import io.kickoff.lsm.api.AdminToken;
import io.kickoff.lsm.event.HistoryEntry;
import io.kickoff.lsm.store.RedisEventStore;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.StageUpdate;
import io.kickoff.testkit.TestKafka;
import io.kickoff.testkit.TestRedis;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
    static final String TOKEN = "it-operator";

    @RegisterExtension
    static final TestRedis redis = new TestRedis();
    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    final List<AutoCloseable> opened = new ArrayList<>();
    final List<StageUpdate> published = new CopyOnWriteArrayList<>();
    final HttpClient http = HttpClient.newHttpClient();
    String prefix;

    @BeforeEach
    void watchTheBus() {
        redis.start();
        kafka.start();
        prefix = "it" + UUID.randomUUID().toString().substring(0, 6) + ":";
        KafkaEventBus watcher = open(new KafkaEventBus(KafkaBusConfig.of(kafka.bootstrapServers()).withClientId("watcher")));
        watcher.subscribe(Topic.STAGES, StartFrom.NOW, r -> {
            try {
                published.add(StageUpdate.parseFrom(r.value()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @AfterEach
    void closeAll() throws Exception {
        redis.start();
        kafka.start();
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    <T extends AutoCloseable> T open(T closeable) {
        opened.add(closeable);
        return closeable;
    }

    LiveStateManager lsm(String nodeId, Duration leaseTtl) throws Exception {
        RedisEventStore store = open(new RedisEventStore(redis.uri(), prefix, Duration.ofSeconds(2), Clock.systemUTC()));
        KafkaEventBus bus = open(new KafkaEventBus(KafkaBusConfig.of(kafka.bootstrapServers()).withClientId(nodeId)));
        return open(LiveStateManager.start(LiveStateManager.Config.of("127.0.0.1", 0,
                Map.of(TOKEN, AdminToken.operator("it")), nodeId).withLeaseTtl(leaseTtl),
                store, store.leaderLease(), bus, Clock.systemUTC()));
    }

    HttpResponse<String> post(LiveStateManager lsm, String path, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + lsm.adminPort() + path))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String event(String id, Instant start, Duration prefetchLead, Duration preShowLead) {
        return "{\"id\":\"" + id + "\",\"title\":\"The Final\",\"scheduled_start\":\"" + start + "\","
                + "\"prefetch_lead\":\"" + prefetchLead + "\",\"pre_show_lead\":\"" + preShowLead + "\"}";
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
        await().atMost(WAIT).until(lsm::isLeader);
        assertThat(post(lsm, "/v1/events", event("kafka-down", Instant.now().plus(Duration.ofDays(1)),
                Duration.ofMinutes(30), Duration.ofMinutes(5))).statusCode()).isEqualTo(201);

        kafka.stop();
        for (String to : List.of("PREFETCH", "PRE_SHOW", "LIVE")) {
            assertThat(post(lsm, "/v1/events/kafka-down/transitions", "{\"to\":\"" + to + "\"}").statusCode())
                    .as(to).isEqualTo(200);
        }
        assertThat(seqsOf("kafka-down")).isEmpty();
        kafka.start();

        await().atMost(WAIT).until(() -> seqsOf("kafka-down").contains(3L));
        assertFiredOnceEachInOrder("kafka-down", Stage.PREFETCH, Stage.PRE_SHOW, Stage.LIVE);
    }

    @Test
    void withRedisDownTheApiAnswers503AndTheSchedulerCatchesUpAfterwardsWithNothingDoubled() throws Exception {
        LiveStateManager lsm = lsm("lsm-a", Duration.ofSeconds(2));
        await().atMost(WAIT).until(lsm::isLeader);
        Instant start = Instant.now().plusSeconds(4);
        assertThat(post(lsm, "/v1/events", event("redis-down", start, Duration.ofSeconds(3), Duration.ofSeconds(2)))
                .statusCode()).isEqualTo(201);

        redis.stop();
        HttpResponse<String> refused = post(lsm, "/v1/events/redis-down/transitions", "{\"to\":\"CANCELLED\"}");
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        // Every timer of the event comes due while the store is away.
        await().atMost(WAIT).until(() -> Instant.now().isAfter(start.plusSeconds(1)));
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
        await().atMost(WAIT).until(a::isLeader);
        LiveStateManager b = lsm("lsm-b", Duration.ofSeconds(1));
        assertThat(b.isLeader()).isFalse();
        Instant start = Instant.now().plusSeconds(5);
        for (int i = 0; i < 5; i++) {
            assertThat(post(b, "/v1/events", event("takeover-" + i, start.plusMillis(300L * i), Duration.ofSeconds(3),
                    Duration.ofSeconds(1))).statusCode()).isEqualTo(201);
        }
        await().atMost(WAIT).until(() -> seqsOf("takeover-0").contains(1L));
        a.crash();   // no lease release: b must wait for it to expire

        await().atMost(WAIT).until(b::isLeader);
        for (int i = 0; i < 5; i++) {
            String id = "takeover-" + i;
            await().atMost(WAIT).until(() -> seqsOf(id).contains(3L));
            assertFiredOnceEachInOrder(id, Stage.PREFETCH, Stage.PRE_SHOW, Stage.LIVE);
        }
    }
}
