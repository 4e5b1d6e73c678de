package io.kickoff.lsm.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kickoff.bus.EventBus;
import io.kickoff.bus.InProcessEventBus;
import io.kickoff.bus.StartFrom;
import io.kickoff.bus.Topic;
import io.kickoff.lsm.LiveStateManager;
import io.kickoff.lsm.event.InMemoryEventStore;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.StageUpdate;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdminApiTest {
    static final String OPERATOR = "op-token";
    static final String VIEWER = "view-token";
    static final Instant NOW = Instant.parse("2026-11-21T20:00:00Z");

    EventBus bus;
    LiveStateManager lsm;
    HttpClient http = HttpClient.newHttpClient();
    List<StageUpdate> published = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        bus = new InProcessEventBus();
        bus.subscribe(Topic.STAGES, StartFrom.NOW, r -> {
            try {
                published.add(StageUpdate.parseFrom(r.value()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        lsm = LiveStateManager.start(new LiveStateManager.Config("127.0.0.1", 0,
                Map.of(OPERATOR, Role.OPERATOR, VIEWER, Role.VIEWER)), new InMemoryEventStore(), bus,
                Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void stop() {
        lsm.close();
        bus.close();
    }

    HttpResponse<String> send(String method, String path, String token, String contentType, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + lsm.adminPort() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String body) throws Exception {
        return send("POST", path, OPERATOR, "application/json", body);
    }

    static JsonNode json(HttpResponse<String> response) throws Exception {
        return AdminApiHandler.JSON.readTree(response.body());
    }

    void create(String id) throws Exception {
        assertThat(post("/v1/events", "{\"id\":\"" + id + "\",\"title\":\"The Final\",\"scheduled_start\":\"2026-11-21T21:00:00Z\",\"segments\":[\"us-en\"]}")
                .statusCode()).isEqualTo(201);
    }

    @Test
    void createThenGoLivePublishesOneStageUpdate() throws Exception {
        HttpResponse<String> created = post("/v1/events",
                "{\"id\":\"final-2026\",\"title\":\"The Final\",\"scheduled_start\":\"2026-11-21T21:00:00Z\",\"segments\":[\"us-en\"]}");
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(json(created).get("stage").asText()).isEqualTo("SCHEDULED");
        assertThat(json(created).get("seq").asLong()).isZero();

        HttpResponse<String> live = post("/v1/events/final-2026/transitions", "{\"to\":\"LIVE\"}");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(json(live).get("stage").asText()).isEqualTo("LIVE");
        assertThat(json(live).get("seq").asLong()).isEqualTo(1);

        await().until(() -> published.size() == 1);
        StageUpdate update = published.get(0);
        assertThat(update.getEventId()).isEqualTo("final-2026");
        assertThat(update.getStage()).isEqualTo(Stage.LIVE);
        assertThat(update.getSeq()).isEqualTo(1);
        assertThat(update.getReason()).isEqualTo("manual");
        assertThat(update.getSegmentsList()).containsExactly("us-en");
        assertThat(update.getIssuedAt().getSeconds()).isEqualTo(NOW.getEpochSecond());
        assertThat(update.getScheduledStart().getSeconds()).isEqualTo(Instant.parse("2026-11-21T21:00:00Z").getEpochSecond());

        HttpResponse<String> read = send("GET", "/v1/events/final-2026", VIEWER, null, null);
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(json(read).get("stage").asText()).isEqualTo("LIVE");
    }

    @Test
    void everyAcceptedTransitionIncrementsSeq() throws Exception {
        create("e1");
        for (String to : List.of("PREFETCH", "PRE_SHOW", "LIVE", "ENDED")) {
            assertThat(post("/v1/events/e1/transitions", "{\"to\":\"" + to + "\"}").statusCode()).isEqualTo(200);
        }
        await().until(() -> published.size() == 4);
        assertThat(published).extracting(StageUpdate::getSeq).containsExactly(1L, 2L, 3L, 4L);
        assertThat(published).extracting(StageUpdate::getStage)
                .containsExactly(Stage.PREFETCH, Stage.PRE_SHOW, Stage.LIVE, Stage.ENDED);
    }

    @Test
    void illegalTransitionIs409WithCurrentStageAndAllowedTargets() throws Exception {
        create("e2");
        HttpResponse<String> refused = post("/v1/events/e2/transitions", "{\"to\":\"ENDED\"}");
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(refused.headers().firstValue("Content-Type")).contains("application/problem+json");
        JsonNode problem = json(refused);
        assertThat(problem.get("current_stage").asText()).isEqualTo("SCHEDULED");
        assertThat(problem.get("allowed")).extracting(JsonNode::asText)
                .containsExactly("CANCELLED", "LIVE", "PREFETCH", "PRE_SHOW");
        assertThat(published).isEmpty();
    }

    @Test
    void authentication() throws Exception {
        assertThat(send("GET", "/v1/events", null, null, null).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/v1/events", "nope", null, null).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/v1/events", VIEWER, null, null).statusCode()).isEqualTo(200);
        HttpResponse<String> forbidden = send("POST", "/v1/events", VIEWER, "application/json", "{\"id\":\"x\",\"title\":\"t\"}");
        assertThat(forbidden.statusCode()).isEqualTo(403);
    }

    @Test
    void badInput() throws Exception {
        assertThat(json(post("/v1/events", "{\"id\":\"Not A Slug\",\"title\":\"t\"}")).get("field").asText()).isEqualTo("id");
        assertThat(post("/v1/events", "{\"id\":\"ok\"}").statusCode()).isEqualTo(400);
        assertThat(post("/v1/events", "{not json").statusCode()).isEqualTo(400);
        assertThat(post("/v1/events", "{\"id\":\"ok\",\"title\":\"t\",\"surprise\":1}").statusCode()).isEqualTo(400);
        assertThat(send("POST", "/v1/events", OPERATOR, "text/plain", "{}").statusCode()).isEqualTo(415);
        create("e3");
        assertThat(post("/v1/events/e3/transitions", "{\"to\":\"SIDEWAYS\"}").statusCode()).isEqualTo(400);
        assertThat(post("/v1/events/e3/transitions", "{}").statusCode()).isEqualTo(400);
        assertThat(post("/v1/events/nope/transitions", "{\"to\":\"LIVE\"}").statusCode()).isEqualTo(404);
        assertThat(send("GET", "/v1/events/nope", VIEWER, null, null).statusCode()).isEqualTo(404);
        assertThat(send("DELETE", "/v1/events", OPERATOR, null, null).statusCode()).isEqualTo(405);
        assertThat(send("GET", "/v2/other", OPERATOR, null, null).statusCode()).isEqualTo(404);
        assertThat(post("/v1/events", "{\"id\":\"big\",\"title\":\"" + "x".repeat(70_000) + "\"}").statusCode()).isEqualTo(413);
    }

    @Test
    void duplicateIdIs409() throws Exception {
        create("dup");
        assertThat(post("/v1/events", "{\"id\":\"dup\",\"title\":\"again\"}").statusCode()).isEqualTo(409);
    }

    @Test
    void listShowsEveryEvent() throws Exception {
        create("a1");
        create("b2");
        JsonNode list = json(send("GET", "/v1/events", VIEWER, null, null));
        assertThat(list.get("events")).extracting(n -> n.get("id").asText()).containsExactly("a1", "b2");
    }
}
