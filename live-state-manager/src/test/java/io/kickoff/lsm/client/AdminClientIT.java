package io.kickoff.lsm.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kickoff.bus.KafkaBusConfig;
import io.kickoff.bus.KafkaEventBus;
import io.kickoff.lsm.LiveStateManager;
import io.kickoff.lsm.schedule.OutboxRelay;
import io.kickoff.lsm.testing.TestLiveStateManagers;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.testkit.TestKafka;
import io.kickoff.testkit.TestRedis;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The admin client against a running Live State Manager on a real Redis and a real Kafka. */
class AdminClientIT {
    static final Duration WAIT = Duration.ofSeconds(60);
    static final String OPERATOR = TestLiveStateManagers.OPERATOR;
    static final String VIEWER = TestLiveStateManagers.VIEWER;
    static final Instant START = Instant.now().plus(Duration.ofDays(1));

    @RegisterExtension
    static final TestRedis redis = new TestRedis();
    @RegisterExtension
    static final TestKafka kafka = new TestKafka();
    @RegisterExtension
    static final TestLiveStateManagers lsms = new TestLiveStateManagers();

    static LiveStateManager lsm;
    static AdminClient admin;

    @BeforeAll
    static void startLsm() throws Exception {
        String prefix = "client" + UUID.randomUUID().toString().substring(0, 6) + ":";
        KafkaEventBus bus = lsms.closeAfter(new KafkaEventBus(KafkaBusConfig.of(kafka.bootstrapServers()).withClientId("client-it")));
        lsm = TestLiveStateManagers.leading(lsms.start("client-it",
                lsms.onRedis(redis.uri(), prefix, Duration.ofSeconds(2), Clock.systemUTC()), bus, Clock.systemUTC(),
                c -> c.withRelayGroup(prefix + "outbox"), OutboxRelay.BeforePublish.NONE));
        admin = new AdminClient(base(), OPERATOR);
    }

    static URI base() {
        return URI.create("http://127.0.0.1:" + lsm.adminPort() + "/");
    }

    static String id() {
        return "client-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void createsAnEventAndReadsItBackWithItsEtag() {
        String id = id();
        AdminReply created = admin.createEvent(NewEventRequest.of(id, "The Final", START).withSegments(List.of("us-en"))
                .withLeads(Duration.ofMinutes(20), Duration.ofMinutes(4)));

        assertThat(created.status()).isEqualTo(201);
        assertThat(created.etag()).contains("\"1\"");
        assertThat(created.stage()).isEqualTo("SCHEDULED");
        assertThat(created.seq()).isZero();
        assertThat(created.body().path("prefetch_lead").asText()).isEqualTo("PT20M");
        assertThat(created.body().path("segments").get(0).asText()).isEqualTo("us-en");

        AdminReply read = new AdminClient(base(), VIEWER).event(id);
        assertThat(read.etag()).isEqualTo(created.etag());
        assertThat(read.body().path("title").asText()).isEqualTo("The Final");
    }

    @Test
    void aRefusalCarriesItsStatusAndProblemDocument() {
        String id = id();
        admin.createEvent(NewEventRequest.of(id, "Twice", START));

        assertThatThrownBy(() -> admin.createEvent(NewEventRequest.of(id, "Twice", START)))
                .isInstanceOfSatisfying(AdminProblemException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.type()).isEqualTo("event-exists");
                    assertThat(e.problem().path("field").asText()).isEqualTo("id");
                    assertThat(e.getMessage()).contains("POST", "/v1/events", "409", "event-exists");
                });
        assertThatThrownBy(() -> admin.event("client-no-such-event"))
                .isInstanceOfSatisfying(AdminProblemException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.type()).isEqualTo("unknown-event");
                });
        assertThatThrownBy(() -> new AdminClient(base(), "not-a-token").event(id))
                .isInstanceOfSatisfying(AdminProblemException.class, e -> assertThat(e.status()).isEqualTo(401));
        assertThatThrownBy(() -> new AdminClient(base(), VIEWER).transition(id, Stage.LIVE))
                .isInstanceOfSatisfying(AdminProblemException.class, e -> assertThat(e.status()).isEqualTo(403));
    }

    @Test
    void transitionsMoveTheEventAndAnIllegalOneNamesTheAllowedStages() throws Exception {
        String id = id();
        admin.createEvent(NewEventRequest.of(id, "Moves", START));

        AdminReply prefetch = admin.transition(id, Stage.PREFETCH);
        assertThat(prefetch.stage()).isEqualTo("PREFETCH");
        assertThat(prefetch.seq()).isEqualTo(1);
        AdminReply live = admin.transitionAsync(id, Stage.LIVE, WriteOptions.NONE).get(30, TimeUnit.SECONDS);
        assertThat(live.stage()).isEqualTo("LIVE");
        assertThat(live.seq()).isEqualTo(2);

        assertThatThrownBy(() -> admin.transition(id, Stage.PREFETCH))
                .isInstanceOfSatisfying(AdminProblemException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.type()).isEqualTo("illegal-transition");
                    assertThat(e.problem().path("current_stage").asText()).isEqualTo("LIVE");
                });
        assertThat(admin.history(id).body().path("history")).extracting(h -> h.path("stage").asText())
                .containsExactly("SCHEDULED", "PREFETCH", "LIVE");
        assertThat(admin.delivery(id).body().path("event_id").asText()).isEqualTo(id);
    }

    @Test
    void anAsyncRefusalCompletesWithTheProblem() {
        assertThat(admin.transitionAsync("client-no-such-event", Stage.LIVE, WriteOptions.NONE))
                .failsWithin(Duration.ofSeconds(30))
                .withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOfSatisfying(AdminProblemException.class,
                        e -> assertThat(e.status()).isEqualTo(404));
    }

    @Test
    void aRetriedWriteWithTheSameIdempotencyKeyGetsTheFirstAnswerAgain() {
        String id = id();
        admin.createEvent(NewEventRequest.of(id, "Once", START));
        WriteOptions key = WriteOptions.idempotencyKey("move-" + id);

        AdminReply first = admin.transition(id, Stage.PREFETCH, key);
        AdminReply again = admin.transition(id, Stage.PREFETCH, key);

        assertThat(first.replayed()).isFalse();
        assertThat(again.replayed()).isTrue();
        assertThat(again.seq()).isEqualTo(first.seq()).isEqualTo(1);
        assertThat(admin.event(id).seq()).isEqualTo(1);
    }

    @Test
    void aPatchAppliesOnlyAtTheEtagItWasReadAt() {
        String id = id();
        AdminReply created = admin.createEvent(NewEventRequest.of(id, "Before", START));
        String etag = created.etag().orElseThrow();

        AdminReply patched = admin.patchEvent(id, Map.of("title", "After", "scheduled_start", START.plusSeconds(60)),
                WriteOptions.ifMatch(etag));
        assertThat(patched.body().path("title").asText()).isEqualTo("After");
        assertThat(patched.etag()).contains("\"2\"");

        assertThatThrownBy(() -> admin.patchEvent(id, Map.of("title", "Stale"), WriteOptions.ifMatch(etag)))
                .isInstanceOfSatisfying(AdminProblemException.class, e -> {
                    assertThat(e.status()).isEqualTo(412);
                    assertThat(e.problem().path("current_etag").asText()).isEqualTo("\"2\"");
                });
        assertThat(admin.event(id).body().path("title").asText()).isEqualTo("After");
    }

    @Test
    void aTransitionAppliesOnlyAtTheEtagItWasReadAt() {
        String id = id();
        String etag = admin.createEvent(NewEventRequest.of(id, "Before", START)).etag().orElseThrow();
        admin.patchEvent(id, Map.of("title", "Renamed"), WriteOptions.NONE);

        assertThatThrownBy(() -> admin.transition(id, Stage.LIVE, WriteOptions.ifMatch(etag)))
                .isInstanceOfSatisfying(AdminProblemException.class, e -> assertThat(e.status()).isEqualTo(412));
        assertThat(admin.event(id).body().path("stage").asText()).isEqualTo("SCHEDULED");
        assertThat(admin.transition(id, Stage.LIVE, WriteOptions.ifMatch("\"2\"")).body().path("stage").asText())
                .isEqualTo("LIVE");
    }

    @Test
    void ifMatchIsRefusedWhereTheApiWouldIgnoreIt() {
        assertThatThrownBy(() -> admin.createEvent(NewEventRequest.of(id(), "T", START), WriteOptions.ifMatch("\"1\"")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PATCH and transitions only");
    }

    @Test
    void readinessReportsEachCheckAndWhenReadyCompletesOnceReady() throws Exception {
        ReadinessAnswer ready = admin.whenReady(WAIT).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(ready.ready()).isTrue();
        assertThat(ready.check("store")).isEqualTo("up");
        assertThat(admin.readiness().check("bus")).isEqualTo("up");
    }

    @Test
    void aServerThatIsNotThereIsUnreachableNotAProblem() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        AdminClient nowhere = new AdminClient(URI.create("http://127.0.0.1:" + closedPort), OPERATOR);

        assertThatThrownBy(() -> nowhere.event("x")).isInstanceOf(AdminUnreachableException.class)
                .hasMessageContaining("127.0.0.1:" + closedPort);
        assertThat(nowhere.whenReady(Duration.ofMillis(300))).failsWithin(Duration.ofSeconds(30))
                .withThrowableOfType(ExecutionException.class).havingCause().isInstanceOf(AdminUnreachableException.class);
    }
}
