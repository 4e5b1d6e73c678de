package io.kickoff.lsm.api;

import static io.kickoff.lsm.api.AdminApiFixture.NOW;
import static io.kickoff.lsm.api.AdminApiFixture.OPERATOR;
import static io.kickoff.lsm.api.AdminApiFixture.VIEWER;
import static io.kickoff.lsm.api.AdminApiFixture.json;
import static io.kickoff.lsm.api.AdminApiTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kickoff.bus.Topic;
import io.kickoff.lsm.audience.AudienceRecords;
import io.kickoff.lsm.client.AdminClient;
import io.kickoff.lsm.client.AdminProblemException;
import io.kickoff.lsm.client.AudienceAnswer;
import io.kickoff.protocol.v1.Stage;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code GET /v1/events/{id}/audience} on the in-process bus: the document, since, and every refusal. */
class AdminAudienceApiTest {
    @RegisterExtension
    final AdminApiFixture api = new AdminApiFixture();

    void publishAudience() {
        for (int s = 3; s >= 1; s--) {
            api.bus.publish(Topic.AUDIENCE_SERIES, "e1", AudienceRecords.snapshot("e1", NOW.minusSeconds(s), 800 + s,
                    Map.of("us-en", 490L + s, "uk-en", 310L))).join();
        }
        api.bus.publish(Topic.AUDIENCE, "e1", AudienceRecords.snapshot("e1", NOW, 812, Map.of("us-en", 500L, "uk-en", 312L),
                2, Stage.LIVE, NOW.minusSeconds(60), 790)).join();
        await().until(() -> api.audience.of("e1", Optional.empty()).series().size() == 3
                && api.audience.of("e1", Optional.empty()).latest().map(l -> l.viewers() == 812).orElse(false));
    }

    @Test
    void anEventNobodyWatchedYetHasNoViewersAndNoAsOf() throws Exception {
        api.create("e1");

        HttpResponse<String> answer = api.get("/v1/events/e1/audience");

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Content-Type")).contains("application/json");
        assertThat(answer.body()).isEqualTo("{\"event_id\":\"e1\",\"available\":true,\"as_of\":null,\"viewers\":0,"
                + "\"segments\":{},\"broadcasts\":[],\"series\":[]}");
    }

    @Test
    void theAudienceNowItsBroadcastsAndTheSeriesOldestFirstForViewersAndOperators() throws Exception {
        api.create("e1");
        publishAudience();

        for (String token : List.of(VIEWER, OPERATOR)) {
            HttpResponse<String> answer = api.send("GET", "/v1/events/e1/audience", token, null, null);
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            assertThat(answer.headers().firstValue("Cache-Control")).contains("no-store");
            JsonNode body = json(answer);
            assertThat(body.get("event_id").asText()).isEqualTo("e1");
            assertThat(body.get("available").asBoolean()).isTrue();
            assertThat(body.get("as_of").asText()).isEqualTo("2026-11-21T20:00:00Z");
            assertThat(body.get("viewers").asLong()).isEqualTo(812);
            assertThat(body.get("segments").toString()).isEqualTo("{\"uk-en\":312,\"us-en\":500}");
            assertThat(body.get("broadcasts").get(1).toString()).isEqualTo("{\"seq\":2,\"stage\":\"LIVE\","
                    + "\"issued_at\":\"2026-11-21T19:59:00Z\",\"plays\":790,\"window_seconds\":60}");
            assertThat(body.get("broadcasts").get(0).get("stage").asText()).isEqualTo("PRE_SHOW");
            assertThat(body.get("series")).hasSize(3);
            assertThat(body.get("series").get(0).toString()).isEqualTo("{\"t\":\"2026-11-21T19:59:57Z\",\"viewers\":803,"
                    + "\"segments\":{\"uk-en\":310,\"us-en\":493}}");
            assertThat(body.get("series").get(2).get("t").asText()).isEqualTo("2026-11-21T19:59:59Z");
        }

        // The client reads the same document as a record.
        AudienceAnswer read = new AdminClient(api.uri(""), VIEWER).audience("e1");
        assertThat(read.asOf()).contains(NOW);
        assertThat(read.viewers()).isEqualTo(812);
        assertThat(read.segments()).containsExactly(Map.entry("uk-en", 312L), Map.entry("us-en", 500L));
        assertThat(read.lastBroadcast()).contains(new AudienceAnswer.Broadcast(2, "LIVE", NOW.minusSeconds(60), 790,
                Duration.ofSeconds(60)));
        assertThat(read.series()).extracting(AudienceAnswer.Point::viewers).containsExactly(803L, 802L, 801L);
    }

    @Test
    void sinceNarrowsTheSeriesAndAnythingButAnRfc3339TimestampIsA400NamingIt() throws Exception {
        api.create("e1");
        publishAudience();

        JsonNode narrowed = json(api.get("/v1/events/e1/audience?since=2026-11-21T19:59:58Z"));
        assertThat(narrowed.get("series")).extracting(p -> p.get("viewers").asLong()).containsExactly(802L, 801L);
        assertThat(narrowed.get("viewers").asLong()).as("now is not narrowed").isEqualTo(812);
        // An offset other than Z is the same instant (a '+' is sent encoded, as in any query).
        assertThat(json(api.get("/v1/events/e1/audience?since=2026-11-21T20:59:59%2B01:00")).get("series"))
                .extracting(p -> p.get("t").asText()).containsExactly("2026-11-21T19:59:59Z");
        assertThat(new AdminClient(api.uri(""), VIEWER).audience("e1", NOW.minusSeconds(1)).series()).hasSize(1);

        for (String bad : List.of("yesterday", "2026-11-21T19:59:58", "2026-13-01T00:00:00Z", "")) {
            HttpResponse<String> answer = api.get("/v1/events/e1/audience?since=" + bad);
            assertProblem(answer, 400, "validation");
            assertThat(json(answer).get("field").asText()).as(bad).isEqualTo("since");
        }
        HttpResponse<String> twice = api.get("/v1/events/e1/audience?since=2026-11-21T19:59:58Z&since=2026-11-21T19:59:59Z");
        assertProblem(twice, 400, "validation");
        assertThat(json(twice).get("field").asText()).isEqualTo("since");
        HttpResponse<String> unknown = api.get("/v1/events/e1/audience?from=2026-11-21T19:59:58Z");
        assertProblem(unknown, 400, "validation");
        assertThat(json(unknown).get("field").asText()).isEqualTo("from");
    }

    @Test
    void anUnknownEventIs404AndATokenIsNeeded() throws Exception {
        assertProblem(api.get("/v1/events/nope/audience"), 404, "unknown-event");
        assertProblem(api.send("GET", "/v1/events/nope/audience", null, null, null), 401, "unauthorized");
        assertProblem(api.send("GET", "/v1/events/nope/audience", "not-a-token", null, null), 401, "unauthorized");
        assertProblem(api.send("POST", "/v1/events/nope/audience", OPERATOR, "application/json", "{}"), 405,
                "method-not-allowed");
    }

    @Test
    void withoutAnAudienceSourceTheAnswerIs503AudienceUnavailable() throws Exception {
        try (AdminApiFixture memory = AdminApiFixture.withoutAudience()) {
            assertThat(memory.create("e1").statusCode()).isEqualTo(201);
            HttpResponse<String> answer = memory.get("/v1/events/e1/audience");
            assertProblem(answer, 503, "audience-unavailable");
            assertThat(json(answer).get("detail").asText()).contains("Kafka");
            assertThat(answer.headers().firstValue("Retry-After")).as("retrying does not help").isEmpty();
            assertThatThrownBy(() -> new AdminClient(memory.uri(""), VIEWER).audience("e1"))
                    .isInstanceOfSatisfying(AdminProblemException.class, e -> assertThat(e.status()).isEqualTo(503));
        }
    }
}
