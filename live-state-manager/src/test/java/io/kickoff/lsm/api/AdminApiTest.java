package io.kickoff.lsm.api;

import static io.kickoff.lsm.api.AdminApiFixture.NOW;
import io.kickoff.lsm.delivery.DeliveryFixtures;
import static io.kickoff.lsm.api.AdminApiFixture.OPERATOR;
import static io.kickoff.lsm.api.AdminApiFixture.OTHER_OPERATOR;
import static io.kickoff.lsm.api.AdminApiFixture.START;
import static io.kickoff.lsm.api.AdminApiFixture.VIEWER;
import static io.kickoff.lsm.api.AdminApiFixture.createBody;
import static io.kickoff.lsm.api.AdminApiFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kickoff.lsm.event.HistoryEntry;
import io.kickoff.protocol.v1.DeliveryReport;
import io.kickoff.protocol.v1.EventDelivery;
import io.micrometer.core.instrument.Gauge;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AdminApiTest {
    static final DeliveryFixtures reports = new DeliveryFixtures(NOW);
    @RegisterExtension
    final AdminApiFixture api = new AdminApiFixture();

    List<HistoryEntry> history(String id) {
        return api.events.history(id).join();
    }

    static void assertProblem(HttpResponse<String> response, int status, String type) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
        JsonNode problem = json(response);
        assertThat(problem.get("type").asText()).isEqualTo("https://kickoff.io/problems/" + type);
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("title").asText()).isNotBlank();
        assertThat(problem.get("detail").asText()).isNotBlank();
    }

    static void assertInvalid(HttpResponse<String> response, String field) throws Exception {
        assertProblem(response, 400, "validation");
        assertThat(json(response).get("field").asText()).isEqualTo(field);
    }

    // ---------------------------------------------------------------- create and read

    @Test
    void createAnswers201WithLocationEtagAndDefaults() throws Exception {
        HttpResponse<String> created = api.create("final-2026");

        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.headers().firstValue("Location")).contains("/v1/events/final-2026");
        assertThat(created.headers().firstValue("ETag")).contains("\"1\"");
        assertThat(created.headers().firstValue("Content-Type")).contains("application/json");
        JsonNode e = json(created);
        assertThat(e.get("id").asText()).isEqualTo("final-2026");
        assertThat(e.get("title").asText()).isEqualTo("The Final");
        assertThat(e.get("stage").asText()).isEqualTo("SCHEDULED");
        assertThat(e.get("seq").asLong()).isZero();
        assertThat(e.get("version").asLong()).isEqualTo(1);
        assertThat(e.get("segments")).extracting(JsonNode::asText).containsExactly("us-en");
        assertThat(e.get("scheduled_start").asText()).isEqualTo(START);
        assertThat(e.get("expected_end").isNull()).isTrue();
        assertThat(e.get("prefetch_lead").asText()).isEqualTo("PT30M");
        assertThat(e.get("pre_show_lead").asText()).isEqualTo("PT5M");
        assertThat(e.get("auto_end").asBoolean()).isFalse();
        assertThat(e.get("prefetch_at").asText()).isEqualTo("2026-11-21T20:30:00Z");
        assertThat(e.get("next_transition").get("to").asText()).isEqualTo("PREFETCH");
        assertThat(e.get("next_transition").get("at").asText()).isEqualTo("2026-11-21T20:30:00Z");
        assertThat(e.get("updated_at").asText()).isEqualTo(NOW.toString());

        assertThat(history("final-2026")).singleElement().satisfies(h -> {
            assertThat(h.reason()).isEqualTo("created");
            assertThat(h.actor()).isEqualTo("alice");
        });
    }

    @Test
    void createTakesEveryScheduleField() throws Exception {
        HttpResponse<String> created = api.post("/v1/events", createBody("full", Map.of(
                "catalog_title_id", "tt-1", "segments", List.of(), "expected_end", "2026-11-21T23:00:00+01:00",
                "prefetch_lead", "PT1H", "pre_show_lead", "PT10M", "auto_end", true)));

        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode e = json(created);
        assertThat(e.get("catalog_title_id").asText()).isEqualTo("tt-1");
        assertThat(e.get("segments")).isEmpty();
        assertThat(e.get("expected_end").asText()).isEqualTo("2026-11-21T22:00:00Z");
        assertThat(e.get("prefetch_lead").asText()).isEqualTo("PT1H");
        assertThat(e.get("pre_show_lead").asText()).isEqualTo("PT10M");
        assertThat(e.get("pre_show_at").asText()).isEqualTo("2026-11-21T20:50:00Z");
        assertThat(e.get("auto_end").asBoolean()).isTrue();
    }

    @Test
    void getAnswersTheEventWithItsEtag() throws Exception {
        api.create("e1");
        api.post("/v1/events/e1/transitions", "{\"to\":\"PREFETCH\"}");

        HttpResponse<String> read = api.get("/v1/events/e1");

        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.headers().firstValue("ETag")).contains("\"2\"");
        assertThat(read.headers().firstValue("Cache-Control")).contains("no-store");
        assertThat(json(read).get("stage").asText()).isEqualTo("PREFETCH");
        assertThat(json(read).get("version").asLong()).isEqualTo(2);
        assertProblem(api.get("/v1/events/nope"), 404, "unknown-event");
        assertProblem(api.get("/v1/events/Not%20A%20Slug"), 404, "unknown-event");
    }

    // ---------------------------------------------------------------- list

    @Test
    void listPagesThroughEventsInIdOrder() throws Exception {
        for (String id : List.of("e5", "e3", "e1", "e4", "e2")) {
            api.create(id);
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            HttpResponse<String> page = api.get("/v1/events?limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(page.statusCode()).isEqualTo(200);
            JsonNode body = json(page);
            assertThat(body.get("events").size()).isLessThanOrEqualTo(2);
            body.get("events").forEach(e -> seen.add(e.get("id").asText()));
            cursor = body.get("next_cursor").isNull() ? null : body.get("next_cursor").asText();
            pages++;
        } while (cursor != null);

        assertThat(seen).containsExactly("e1", "e2", "e3", "e4", "e5");
        assertThat(pages).isEqualTo(3);
        JsonNode all = json(api.get("/v1/events"));
        assertThat(all.get("events")).hasSize(5);
        assertThat(all.get("next_cursor").isNull()).isTrue();
    }

    @Test
    void listFiltersByStage() throws Exception {
        for (String id : List.of("a", "b", "c", "d")) {
            api.create(id);
        }
        api.post("/v1/events/b/transitions", "{\"to\":\"LIVE\"}");
        api.post("/v1/events/d/transitions", "{\"to\":\"LIVE\"}");
        api.post("/v1/events/c/transitions", "{\"to\":\"CANCELLED\"}");

        JsonNode live = json(api.get("/v1/events?stage=LIVE"));
        assertThat(live.get("events")).extracting(e -> e.get("id").asText()).containsExactly("b", "d");
        JsonNode firstLive = json(api.get("/v1/events?stage=LIVE&limit=1"));
        assertThat(firstLive.get("events")).extracting(e -> e.get("id").asText()).containsExactly("b");
        JsonNode secondLive = json(api.get("/v1/events?stage=LIVE&limit=1&cursor=" + firstLive.get("next_cursor").asText()));
        assertThat(secondLive.get("events")).extracting(e -> e.get("id").asText()).containsExactly("d");
        assertThat(json(api.get("/v1/events?stage=SCHEDULED")).get("events"))
                .extracting(e -> e.get("id").asText()).containsExactly("a");
        assertThat(json(api.get("/v1/events?stage=ENDED")).get("events")).isEmpty();
    }

    @Test
    void listRefusesBadParameters() throws Exception {
        assertInvalid(api.get("/v1/events?stage=SIDEWAYS"), "stage");
        assertInvalid(api.get("/v1/events?stage=STAGE_UNSPECIFIED"), "stage");
        assertInvalid(api.get("/v1/events?limit=0"), "limit");
        assertInvalid(api.get("/v1/events?limit=201"), "limit");
        assertInvalid(api.get("/v1/events?limit=ten"), "limit");
        assertInvalid(api.get("/v1/events?limit=1&limit=2"), "limit");
        assertInvalid(api.get("/v1/events?sort=id"), "sort");
        assertThat(api.get("/v1/events?limit=200").statusCode()).isEqualTo(200);
        assertInvalid(api.get("/v1/events/x?verbose=1"), "verbose");
    }

    // ---------------------------------------------------------------- transitions

    @Test
    void transitionsMoveTheEventAndIncrementSeq() throws Exception {
        api.create("e1");

        HttpResponse<String> live = api.post("/v1/events/e1/transitions", "{\"to\":\"LIVE\"}");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(live.headers().firstValue("ETag")).contains("\"2\"");
        assertThat(json(live).get("stage").asText()).isEqualTo("LIVE");
        assertThat(json(live).get("seq").asLong()).isEqualTo(1);

        HttpResponse<String> ended = api.post("/v1/events/e1/transitions", "{\"to\":\"ENDED\"}");
        assertThat(json(ended).get("stage").asText()).isEqualTo("ENDED");
        assertThat(json(ended).get("seq").asLong()).isEqualTo(2);
        assertThat(json(ended).get("next_transition").isNull()).isTrue();

        api.create("e2");
        api.post("/v1/events/e2/transitions", "{\"to\":\"PREFETCH\",\"reason\":\"early_open\"}");
        api.post("/v1/events/e2/transitions", "{\"to\":\"PRE_SHOW\"}");
        api.post("/v1/events/e2/transitions", "{\"to\":\"CANCELLED\"}");
        assertThat(history("e1")).extracting(HistoryEntry::reason).containsExactly("created", "manual", "ended_early");
        assertThat(history("e2")).extracting(HistoryEntry::reason).containsExactly("created", "early_open", "manual", "cancelled");
        assertThat(history("e2")).extracting(HistoryEntry::seq).containsExactly(0L, 1L, 2L, 3L);
    }

    @Test
    void illegalTransitionIs409WithCurrentStageAndAllowedTargets() throws Exception {
        api.create("e2");

        HttpResponse<String> refused = api.post("/v1/events/e2/transitions", "{\"to\":\"ENDED\"}");

        assertProblem(refused, 409, "illegal-transition");
        JsonNode problem = json(refused);
        assertThat(problem.get("current_stage").asText()).isEqualTo("SCHEDULED");
        assertThat(problem.get("requested_stage").asText()).isEqualTo("ENDED");
        assertThat(problem.get("allowed")).extracting(JsonNode::asText)
                .containsExactly("PREFETCH", "PRE_SHOW", "LIVE", "CANCELLED");
        assertThat(problem.get("instance").asText()).isEqualTo("/v1/events/e2/transitions");
        assertThat(history("e2")).hasSize(1);

        api.post("/v1/events/e2/transitions", "{\"to\":\"CANCELLED\"}");
        HttpResponse<String> afterEnd = api.post("/v1/events/e2/transitions", "{\"to\":\"LIVE\"}");
        assertProblem(afterEnd, 409, "illegal-transition");
        assertThat(json(afterEnd).get("allowed")).isEmpty();
        assertProblem(api.post("/v1/events/e2/transitions", "{\"to\":\"SCHEDULED\"}"), 409, "illegal-transition");
    }

    // ---------------------------------------------------------------- patch

    @Test
    void delayMovesTheStartIncrementsSeqAndIsInHistoryAsDelayed() throws Exception {
        api.create("e1");

        HttpResponse<String> delayed = api.patch("/v1/events/e1", "{\"scheduled_start\":\"2026-11-21T21:15:00Z\"}");

        assertThat(delayed.statusCode()).as(delayed.body()).isEqualTo(200);
        assertThat(delayed.headers().firstValue("ETag")).contains("\"2\"");
        JsonNode e = json(delayed);
        assertThat(e.get("scheduled_start").asText()).isEqualTo("2026-11-21T21:15:00Z");
        assertThat(e.get("seq").asLong()).isEqualTo(1);
        assertThat(e.get("next_transition").get("at").asText()).isEqualTo("2026-11-21T20:45:00Z");
        JsonNode lines = json(api.get("/v1/events/e1/history")).get("history");
        assertThat(lines).hasSize(2);
        JsonNode last = lines.get(1);
        assertThat(last.get("reason").asText()).isEqualTo("delayed");
        assertThat(last.get("seq").asLong()).isEqualTo(1);
        assertThat(last.get("version").asLong()).isEqualTo(2);
        assertThat(last.get("actor").asText()).isEqualTo("alice");
        assertThat(last.get("scheduled_start").asText()).isEqualTo("2026-11-21T21:15:00Z");
        assertThat(last.get("stage").asText()).isEqualTo("SCHEDULED");
    }

    @Test
    void patchWithIfMatch() throws Exception {
        api.create("e1");

        HttpResponse<String> stale = api.patch("/v1/events/e1", "{\"title\":\"New\"}", "If-Match", "\"7\"");
        assertProblem(stale, 412, "precondition-failed");
        assertThat(stale.headers().firstValue("ETag")).contains("\"1\"");
        assertThat(json(stale).get("current_etag").asText()).isEqualTo("\"1\"");

        HttpResponse<String> matching = api.patch("/v1/events/e1", "{\"title\":\"New\"}", "If-Match", "\"1\"");
        assertThat(matching.statusCode()).isEqualTo(200);
        assertThat(matching.headers().firstValue("ETag")).contains("\"2\"");
        assertThat(json(matching).get("title").asText()).isEqualTo("New");
        assertThat(json(matching).get("seq").asLong()).as("a title change is not broadcast").isZero();

        assertProblem(api.patch("/v1/events/e1", "{\"title\":\"Again\"}", "If-Match", "\"1\""), 412, "precondition-failed");
        assertProblem(api.patch("/v1/events/e1", "{\"title\":\"Again\"}", "If-Match", "W/\"2\""), 412, "precondition-failed");
        assertProblem(api.patch("/v1/events/e1", "{\"title\":\"Again\"}", "If-Match", "\"5\", \"6\""), 412, "precondition-failed");
        assertThat(api.patch("/v1/events/e1", "{\"title\":\"Again\"}", "If-Match", "\"5\", \"2\"").statusCode()).isEqualTo(200);
        assertThat(api.patch("/v1/events/e1", "{\"title\":\"Any\"}", "If-Match", "*").statusCode()).isEqualTo(200);
        HttpResponse<String> unconditional = api.patch("/v1/events/e1", "{\"title\":\"Last\"}");
        assertThat(unconditional.statusCode()).isEqualTo(200);
        assertThat(unconditional.headers().firstValue("ETag")).contains("\"5\"");
        assertProblem(api.patch("/v1/events/nope", "{\"title\":\"x\"}", "If-Match", "\"1\""), 404, "unknown-event");
        assertThat(history("e1")).extracting(HistoryEntry::reason)
                .containsExactly("created", "retitled", "retitled", "retitled", "retitled");
    }

    @Test
    void patchRules() throws Exception {
        api.create("e1");
        HttpResponse<String> merge = api.send("PATCH", "/v1/events/e1", OPERATOR, "application/merge-patch+json",
                "{\"expected_end\":\"2026-11-21T23:00:00Z\",\"auto_end\":true}");
        assertThat(merge.statusCode()).as(merge.body()).isEqualTo(200);
        assertThat(json(merge).get("auto_end").asBoolean()).isTrue();
        assertThat(api.patch("/v1/events/e1", "{\"scheduled_start\":\"2026-11-21T20:40:00Z\"}").statusCode()).isEqualTo(200);
        assertThat(history("e1")).extracting(HistoryEntry::reason).containsExactly("created", "schedule_changed", "advanced");

        assertInvalid(api.patch("/v1/events/e1", "{\"title\":null}"), "title");
        assertInvalid(api.patch("/v1/events/e1", "{\"title\":\" \"}"), "title");
        assertInvalid(api.patch("/v1/events/e1", "{\"id\":\"other\"}"), "id");
        assertInvalid(api.patch("/v1/events/e1", "{\"scheduled_start\":\"2026-11-21T23:30:00Z\"}"), "expected_end");
        assertInvalid(api.patch("/v1/events/e1", "{\"pre_show_lead\":\"PT2H\"}"), "prefetch_lead");
        assertInvalid(api.patch("/v1/events/e1", "{\"prefetch_lead\":\"soon\"}"), "prefetch_lead");
        assertProblem(api.patch("/v1/events/nope", "{\"title\":\"x\"}"), 404, "unknown-event");

        api.post("/v1/events/e1/transitions", "{\"to\":\"LIVE\"}");
        HttpResponse<String> tooLate = api.patch("/v1/events/e1", "{\"scheduled_start\":\"2026-11-21T22:00:00Z\"}");
        assertProblem(tooLate, 409, "illegal-change");
        assertThat(json(tooLate).get("field").asText()).isEqualTo("scheduled_start");
        assertThat(json(tooLate).get("current_stage").asText()).isEqualTo("LIVE");
        assertThat(api.patch("/v1/events/e1", "{\"expected_end\":\"2026-11-21T23:30:00Z\"}").statusCode())
                .as("the end may move during LIVE").isEqualTo(200);
    }

    // ---------------------------------------------------------------- history and delivery

    @Test
    void historyHasEveryLine() throws Exception {
        api.create("e1");
        api.post("/v1/events/e1/transitions", "{\"to\":\"PRE_SHOW\"}");
        api.send("POST", "/v1/events/e1/transitions", OTHER_OPERATOR, "application/json", "{\"to\":\"LIVE\"}");

        HttpResponse<String> answer = api.get("/v1/events/e1/history");

        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode body = json(answer);
        assertThat(body.get("event_id").asText()).isEqualTo("e1");
        JsonNode lines = body.get("history");
        assertThat(lines).hasSize(3);
        for (JsonNode line : lines) {
            assertThat(line.fieldNames()).toIterable()
                    .containsExactlyInAnyOrder("seq", "version", "stage", "reason", "actor", "at", "scheduled_start");
            assertThat(line.get("at").asText()).isEqualTo(NOW.toString());
            assertThat(line.get("scheduled_start").asText()).isEqualTo(START);
        }
        assertThat(lines).extracting(l -> l.get("stage").asText()).containsExactly("SCHEDULED", "PRE_SHOW", "LIVE");
        assertThat(lines).extracting(l -> l.get("actor").asText()).containsExactly("alice", "alice", "bob");
        assertThat(lines).extracting(l -> l.get("version").asLong()).containsExactly(1L, 2L, 3L);
        assertProblem(api.get("/v1/events/nope/history"), 404, "unknown-event");
    }

    @Test
    void deliveryIsEmptyUntilGatewaysReportThenMergedPerSeq() throws Exception {
        api.create("e1");
        assertProblem(api.get("/v1/events/nope/delivery"), 404, "unknown-event");
        JsonNode empty = json(api.get("/v1/events/e1/delivery"));
        assertThat(empty.get("deliveries")).isEmpty();
        assertThat(empty.get("gateway_nodes").asInt()).isZero();

        api.board.onRecord(reports.report("gw-1", reports.delivery("e1", 1, 100, 100, 90, 1_000, 2_000),
                reports.delivery("e1", 2, 100, 100, 50, 3_000), reports.delivery("other", 1, 7, 7, 7, 1_000)));
        api.board.onRecord(reports.report("gw-2", reports.delivery("e1", 1, 100, 100, 100, 4_000)));

        HttpResponse<String> answer = api.get("/v1/events/e1/delivery");
        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode body = json(answer);
        assertThat(body.get("gateway_nodes").asInt()).isEqualTo(2);
        JsonNode lines = body.get("deliveries");
        assertThat(lines).extracting(l -> l.get("seq").asLong()).containsExactly(2L, 1L);
        JsonNode seq1 = lines.get(1);
        assertThat(seq1.get("targeted").asLong()).isEqualTo(200);
        assertThat(seq1.get("written").asLong()).isEqualTo(200);
        assertThat(seq1.get("acked").asLong()).isEqualTo(190);
        assertThat(seq1.get("acked_percent").asDouble()).isEqualTo(95.0);
        assertThat(seq1.get("nodes_reporting").asInt()).isEqualTo(2);
        assertThat(seq1.get("max_ms").asDouble()).isBetween(3.9, 4.1);
        assertThat(seq1.get("p50_ms").asDouble()).isBetween(1.9, 2.1);
        assertThat(seq1.get("issued_at").asText()).isEqualTo(NOW.toString());
        JsonNode seq2 = lines.get(0);
        assertThat(seq2.get("nodes_reporting").asInt()).isEqualTo(1);
        assertThat(seq2.get("acked_percent").asDouble()).isEqualTo(50.0);

        // each gateway node's own figures, by node id
        assertThat(seq1.get("nodes")).extracting(n -> n.get("node").asText()).containsExactly("gw-1", "gw-2");
        assertThat(seq1.get("nodes").get(0).get("acked").asLong()).isEqualTo(90);
        assertThat(seq1.get("nodes").get(0).get("acked_percent").asDouble()).isEqualTo(90.0);
        assertThat(seq1.get("nodes").get(1).get("acked").asLong()).isEqualTo(100);
        assertThat(seq1.get("nodes").get(1).get("p99_ms").asDouble()).isBetween(3.9, 4.1);
        assertThat(seq2.get("nodes")).extracting(n -> n.get("node").asText()).containsExactly("gw-1");
    }



    @Test
    void theEventShowsTheBundleVersionOfEachSegment() throws Exception {
        api.create("e1");
        assertThat(json(api.get("/v1/events/e1")).get("bundle_versions")).isEmpty();
        for (String[] b : new String[][] {{"us-en", "v-us"}, {"br-pt", "v-br"}}) {
            io.kickoff.protocol.v1.Bundle bundle = io.kickoff.protocol.v1.Bundle.newBuilder().setEventId("e1")
                    .setSegment(b[0]).setVersion(b[1]).build();
            api.board.onBundleRecord(new io.kickoff.bus.BusRecord(io.kickoff.bus.Topic.BUNDLES, "e1:" + b[0],
                    bundle.toByteArray(), 0));
        }
        JsonNode event = json(api.get("/v1/events/e1"));
        assertThat(event.get("bundle_versions").get("us-en").asText()).isEqualTo("v-us");
        assertThat(event.get("bundle_versions").get("br-pt").asText()).isEqualTo("v-br");
        assertThat(json(api.get("/v1/events")).get("events").get(0).get("bundle_versions").size()).isEqualTo(2);
    }

    // ---------------------------------------------------------------- idempotency

    @Test
    void retriedCreateReturnsTheFirstAnswerAndChangesNothing() throws Exception {
        String body = createBody("once", Map.of());
        HttpResponse<String> first = api.post("/v1/events", body, "Idempotency-Key", "k-1");
        HttpResponse<String> retry = api.post("/v1/events", body, "Idempotency-Key", "k-1");

        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(retry.statusCode()).isEqualTo(201);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(retry.headers().firstValue("ETag")).isEqualTo(first.headers().firstValue("ETag"));
        assertThat(retry.headers().firstValue("Location")).contains("/v1/events/once");
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).contains("true");
        assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(history("once")).hasSize(1);
        // the same body without a key is a new request: the id is taken
        assertProblem(api.post("/v1/events", body), 409, "event-exists");
    }

    @Test
    void retriedTransitionAndPatchApplyOnce() throws Exception {
        api.create("e1");
        HttpResponse<String> first = api.post("/v1/events/e1/transitions", "{\"to\":\"PREFETCH\"}", "Idempotency-Key", "t-1");
        HttpResponse<String> retry = api.post("/v1/events/e1/transitions", "{\"to\":\"PREFETCH\"}", "Idempotency-Key", "t-1");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(retry.body()).isEqualTo(first.body());

        String delay = "{\"scheduled_start\":\"2026-11-21T21:30:00Z\"}";
        HttpResponse<String> delayed = api.patch("/v1/events/e1", delay, "Idempotency-Key", "p-1");
        api.patch("/v1/events/e1", "{\"title\":\"Between\"}");
        HttpResponse<String> delayedAgain = api.patch("/v1/events/e1", delay, "Idempotency-Key", "p-1");
        assertThat(delayedAgain.body()).isEqualTo(delayed.body());
        assertThat(delayedAgain.headers().firstValue("ETag")).contains("\"3\"");

        assertThat(history("e1")).extracting(HistoryEntry::reason).containsExactly("created", "manual", "delayed", "retitled");
    }

    @Test
    void aKeyReusedWithAnotherBodyIs422() throws Exception {
        api.post("/v1/events", createBody("one", Map.of()), "Idempotency-Key", "k-2");

        HttpResponse<String> reused = api.post("/v1/events", createBody("two", Map.of()), "Idempotency-Key", "k-2");

        assertProblem(reused, 422, "idempotency-key-reused");
        assertThat(json(reused).get("field").asText()).isEqualTo("Idempotency-Key");
        assertProblem(api.get("/v1/events/two"), 404, "unknown-event");
        // whitespace does not make another body
        assertThat(api.post("/v1/events", createBody("one", Map.of()).replace(",", ", "), "Idempotency-Key", "k-2")
                .statusCode()).isEqualTo(201);
        // keys are scoped by token, method and path
        assertThat(api.send("POST", "/v1/events", OTHER_OPERATOR, "application/json", createBody("two", Map.of()),
                "Idempotency-Key", "k-2").statusCode()).isEqualTo(201);
        assertThat(api.post("/v1/events/one/transitions", "{\"to\":\"LIVE\"}", "Idempotency-Key", "k-2").statusCode()).isEqualTo(200);
        assertInvalid(api.post("/v1/events", createBody("three", Map.of()), "Idempotency-Key", "x".repeat(256)), "Idempotency-Key");
    }

    @Test
    void aStoredErrorIsReplayedToo() throws Exception {
        api.create("e1");
        HttpResponse<String> refused = api.post("/v1/events/e1/transitions", "{\"to\":\"ENDED\"}", "Idempotency-Key", "bad");
        api.post("/v1/events/e1/transitions", "{\"to\":\"LIVE\"}");
        HttpResponse<String> retry = api.post("/v1/events/e1/transitions", "{\"to\":\"ENDED\"}", "Idempotency-Key", "bad");

        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(retry.statusCode()).isEqualTo(409);
        assertThat(retry.body()).isEqualTo(refused.body());
        assertThat(json(api.get("/v1/events/e1")).get("stage").asText()).isEqualTo("LIVE");
    }

    @Test
    void theLoserOfARaceOnOneKeyAnswersWithTheStoredAnswer() throws Exception {
        api.create("race");
        api.store.blindLookups = true;
        HttpResponse<String> winner = api.post("/v1/events/race/transitions", "{\"to\":\"LIVE\"}", "Idempotency-Key", "go");
        // passed the lookup before the winner stored its answer: runs, is refused (already LIVE), stores nothing
        HttpResponse<String> loser = api.post("/v1/events/race/transitions", "{\"to\":\"LIVE\"}", "Idempotency-Key", "go");

        assertThat(winner.statusCode()).isEqualTo(200);
        assertThat(loser.statusCode()).isEqualTo(200);
        assertThat(loser.body()).isEqualTo(winner.body());
        assertThat(loser.headers().firstValue("Idempotent-Replayed")).contains("true");
        assertThat(history("race")).extracting(HistoryEntry::reason).containsExactly("created", "manual");
    }

    @Test
    void concurrentFirstRequestsWithOneKeyAllGetTheWinnersAnswer() throws Exception {
        api.create("race");
        List<CompletableFuture<HttpResponse<String>>> sent = IntStream.range(0, 8)
                .mapToObj(i -> api.sendAsync("POST", "/v1/events/race/transitions", OPERATOR, "{\"to\":\"LIVE\"}",
                        "Idempotency-Key", "go-live"))
                .toList();
        List<HttpResponse<String>> answers = sent.stream().map(CompletableFuture::join).toList();

        // whichever answer was stored first (normally the 200 of the request that went live) is everyone's answer
        assertThat(answers).extracting(HttpResponse::statusCode).containsOnly(answers.get(0).statusCode());
        assertThat(answers).extracting(HttpResponse::body).containsOnly(answers.get(0).body());
        assertThat(history("race")).extracting(HistoryEntry::reason).containsExactly("created", "manual");
    }

    // ---------------------------------------------------------------- authentication

    @Test
    void authentication() throws Exception {
        HttpResponse<String> missing = api.send("GET", "/v1/events", null, null, null);
        assertProblem(missing, 401, "unauthorized");
        assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        HttpResponse<String> unknown = api.send("GET", "/v1/events", "nope", null, null);
        assertProblem(unknown, 401, "unauthorized");
        assertThat(unknown.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).contains("invalid_token"));
        assertThat(api.send("GET", "/v1/events", null, null, null, "Authorization", "Basic dTpw").statusCode()).isEqualTo(401);
        assertThat(api.send("POST", "/v1/events", null, "application/json", createBody("x", Map.of())).statusCode()).isEqualTo(401);

        api.create("e1");
        assertThat(api.send("GET", "/v1/events", VIEWER, null, null).statusCode()).isEqualTo(200);
        assertThat(api.send("GET", "/v1/events/e1/history", VIEWER, null, null).statusCode()).isEqualTo(200);
        HttpResponse<String> forbidden = api.send("POST", "/v1/events", VIEWER, "application/json", createBody("x", Map.of()));
        assertProblem(forbidden, 403, "forbidden");
        assertThat(json(forbidden).get("required_role").asText()).isEqualTo("OPERATOR");
        assertProblem(api.send("PATCH", "/v1/events/e1", VIEWER, "application/json", "{\"title\":\"x\"}"), 403, "forbidden");
        assertProblem(api.send("POST", "/v1/events/e1/transitions", VIEWER, "application/json", "{\"to\":\"LIVE\"}"), 403, "forbidden");
        assertThat(history("e1")).hasSize(1);
    }

    // ---------------------------------------------------------------- bad requests

    @Test
    void createValidationNamesTheField() throws Exception {
        assertInvalid(api.post("/v1/events", createBody("Not A Slug", Map.of())), "id");
        assertInvalid(api.post("/v1/events", createBody("-dash", Map.of())), "id");
        assertInvalid(api.post("/v1/events", "{\"title\":\"t\",\"scheduled_start\":\"" + START + "\"}"), "id");
        assertInvalid(api.post("/v1/events", "{\"id\":\"ok\",\"scheduled_start\":\"" + START + "\"}"), "title");
        assertInvalid(api.post("/v1/events", createBody("ok", Map.of("title", ""))), "title");
        assertInvalid(api.post("/v1/events", createBody("ok", Map.of("title", 7))), "title");
        assertInvalid(api.post("/v1/events", "{\"id\":\"ok\",\"title\":\"t\"}"), "scheduled_start");
        assertInvalid(api.post("/v1/events", createBody("ok", Map.of("scheduled_start", "tomorrow"))), "scheduled_start");
        assertInvalid(api.post("/v1/events", createBody("ok", Map.of("scheduled_start", "2026-11-21T21:00:00"))), "scheduled_start");
        assertInvalid(api.post("/v1/events", createBody("ok", Map.of("expected_end", "2026-11-21T20:00:00Z"))), "expected_end");
        assertInvalid(api.post("/v1/events", createBody("ok", Map.of("prefetch_lead", "30 minutes"))), "prefetch_lead");
        assertInvalid(api.post("/v1/events", createBody("ok", Map.of("pre_show_lead", "-PT5M"))), "pre_show_lead");
        assertInvalid(api.post("/v1/events", createBody("ok", Map.of("prefetch_lead", "PT1M"))), "prefetch_lead");
        assertInvalid(api.post("/v1/events", createBody("ok", Map.of("auto_end", true))), "auto_end");
        assertInvalid(api.post("/v1/events", createBody("ok", Map.of("auto_end", "yes"))), "auto_end");
        assertInvalid(api.post("/v1/events", createBody("ok", Map.of("segments", List.of("")))), "segments");
        assertInvalid(api.post("/v1/events", createBody("ok", Map.of("segments", "us-en"))), "segments");
        assertInvalid(api.post("/v1/events", createBody("ok", Map.of("surprise", 1))), "surprise");
        assertProblem(api.get("/v1/events/ok"), 404, "unknown-event");
    }

    @Test
    void malformedBodiesAndWrongContentTypes() throws Exception {
        assertProblem(api.post("/v1/events", "{not json"), 400, "malformed-json");
        assertProblem(api.post("/v1/events", "[1, 2]"), 400, "malformed-json");
        assertProblem(api.post("/v1/events", "{\"id\":\"a\",\"id\":\"b\"}"), 400, "malformed-json");
        assertProblem(api.post("/v1/events", "{} {}"), 400, "malformed-json");
        assertProblem(api.post("/v1/events", ""), 400, "malformed-json");
        assertProblem(api.send("POST", "/v1/events", OPERATOR, null, null), 400, "malformed-json");
        assertProblem(api.send("POST", "/v1/events", OPERATOR, "text/plain", "{}"), 415, "unsupported-media-type");
        assertProblem(api.send("POST", "/v1/events", OPERATOR, "application/json; charset=latin1", "{}"), 415, "unsupported-media-type");
        assertThat(api.send("POST", "/v1/events", OPERATOR, "application/json; charset=UTF-8",
                createBody("utf", Map.of())).statusCode()).isEqualTo(201);
        HttpResponse<String> patch415 = api.send("PATCH", "/v1/events/utf", OPERATOR, "application/xml", "<title/>");
        assertProblem(patch415, 415, "unsupported-media-type");
        assertThat(patch415.headers().firstValue("Accept-Patch")).contains("application/json, application/merge-patch+json");

        api.create("e3");
        assertInvalid(api.post("/v1/events/e3/transitions", "{\"to\":\"SIDEWAYS\"}"), "to");
        assertInvalid(api.post("/v1/events/e3/transitions", "{\"to\":\"live\"}"), "to");
        assertInvalid(api.post("/v1/events/e3/transitions", "{}"), "to");
        assertInvalid(api.post("/v1/events/e3/transitions", "{\"to\":\"LIVE\",\"why\":\"x\"}"), "why");
        assertInvalid(api.post("/v1/events/e3/transitions", "{\"to\":\"LIVE\",\"reason\":\"" + "r".repeat(65) + "\"}"), "reason");
        assertProblem(api.post("/v1/events/nope/transitions", "{\"to\":\"LIVE\"}"), 404, "unknown-event");
        assertThat(history("e3")).hasSize(1);
    }

    @Test
    void duplicateIdIs409() throws Exception {
        api.create("dup");
        HttpResponse<String> again = api.post("/v1/events", createBody("dup", Map.of("title", "again")));
        assertProblem(again, 409, "event-exists");
        assertThat(json(again).get("field").asText()).isEqualTo("id");
    }

    @Test
    void unknownRoutesAndMethods() throws Exception {
        assertProblem(api.get("/v2/other"), 404, "not-found");
        assertProblem(api.get("/v1/events/e1/unknown"), 404, "not-found");
        assertProblem(api.get("/v1/events/e1/history/more"), 404, "not-found");
        assertProblem(api.send("GET", "/nothing", null, null, null), 404, "not-found");

        HttpResponse<String> delete = api.send("DELETE", "/v1/events", OPERATOR, null, null);
        assertProblem(delete, 405, "method-not-allowed");
        assertThat(delete.headers().firstValue("Allow")).contains("GET, POST");
        assertThat(api.send("PUT", "/v1/events/e1", OPERATOR, "application/json", "{}").headers().firstValue("Allow"))
                .contains("GET, PATCH");
        assertThat(api.send("GET", "/v1/events/e1/transitions", OPERATOR, null, null).headers().firstValue("Allow"))
                .contains("POST");
        assertThat(api.send("POST", "/healthz", null, null, null).statusCode()).isEqualTo(405);
    }

    @Test
    void bodyTooLargeIs413Problem() throws Exception {
        HttpResponse<String> big = api.post("/v1/events", createBody("big", Map.of("title", "x".repeat(70_000))));

        assertProblem(big, 413, "payload-too-large");
        assertProblem(api.get("/v1/events/big"), 404, "unknown-event");
    }

    // ---------------------------------------------------------------- store trouble

    @Test
    void storeUnavailableIs503WithRetryAfter() throws Exception {
        api.create("e1");
        api.store.mode = FailingStore.Mode.DOWN;

        for (HttpResponse<String> r : List.of(
                api.get("/v1/events"),
                api.get("/v1/events/e1"),
                api.get("/v1/events/e1/history"),
                api.get("/v1/events/e1/delivery"),
                api.post("/v1/events", createBody("e2", Map.of())),
                api.post("/v1/events", createBody("e2", Map.of()), "Idempotency-Key", "k"),
                api.patch("/v1/events/e1", "{\"title\":\"x\"}"),
                api.post("/v1/events/e1/transitions", "{\"to\":\"LIVE\"}"))) {
            assertProblem(r, 503, "store-unavailable");
            assertThat(r.headers().firstValue("Retry-After").map(Integer::parseInt).orElseThrow()).isBetween(1, 10);
        }

        api.store.mode = FailingStore.Mode.UP;
        assertThat(api.post("/v1/events", createBody("e2", Map.of()), "Idempotency-Key", "k").statusCode())
                .as("a 503 is not kept under the key").isEqualTo(201);
    }

    @Test
    void storeThatDoesNotAnswerIs503() throws Exception {
        api.store.mode = FailingStore.Mode.HANGING;

        HttpResponse<String> r = api.get("/v1/events");

        assertProblem(r, 503, "store-unavailable");
        assertThat(r.headers().firstValue("Retry-After")).isPresent();
    }

    // ---------------------------------------------------------------- operations

    @Test
    void healthAndReadiness() throws Exception {
        HttpResponse<String> health = api.send("GET", "/healthz", null, null, null);
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(json(health).get("status").asText()).isEqualTo("up");

        HttpResponse<String> ready = api.send("GET", "/readyz", null, null, null);
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(json(ready).get("checks").get("store").asText()).isEqualTo("up");

        api.busUp.set(false);
        HttpResponse<String> noBus = api.send("GET", "/readyz", null, null, null);
        assertProblem(noBus, 503, "not-ready");
        assertThat(noBus.headers().firstValue("Retry-After")).isPresent();
        assertThat(json(noBus).get("checks").get("bus").asText()).isEqualTo("down");
        assertThat(json(noBus).get("checks").get("store").asText()).isEqualTo("up");

        api.busUp.set(true);
        api.store.mode = FailingStore.Mode.DOWN;
        HttpResponse<String> noStore = api.send("GET", "/readyz", null, null, null);
        assertProblem(noStore, 503, "not-ready");
        assertThat(json(noStore).get("checks").get("store").asText()).isEqualTo("down");
        assertThat(api.send("GET", "/healthz", null, null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void readinessAnswersAtOnceThatTheStoreIsDownWhileItsPingHangs() throws Exception {
        api.store.mode = FailingStore.Mode.HANGING;
        // The first probe is on its way and no answer has come: once it has waited too long, the store counts as down,
        // and every readiness answer comes from that, not from waiting for the store (whose calls here never end).
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> api.send("GET", "/readyz", null, null, null).statusCode() == 503);
        HttpResponse<String> hanging = api.send("GET", "/readyz", null, null, null);
        assertThat(hanging.statusCode()).isEqualTo(503);
        assertThat(json(hanging).get("checks").get("store").asText()).isEqualTo("down");
    }

    @Test
    void metricsCountRequestsByRouteAndStatus() throws Exception {
        Gauge.builder("kickoff_lsm_outbox_depth", () -> 3).register(api.registry);
        api.create("e1");
        api.get("/v1/events/e1");
        api.get("/v1/events/e1");
        api.get("/v1/events/nope");
        api.send("GET", "/v1/events", null, null, null);
        api.post("/v1/events", createBody("big", Map.of("title", "x".repeat(70_000))));

        HttpResponse<String> metrics = api.send("GET", "/metrics", null, null, null);

        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        // Answers by status are counted; latency is a histogram per route with fixed buckets (no client-side quantiles).
        assertThat(metrics.body())
                .contains("kickoff_lsm_api_responses_total{method=\"GET\",route=\"/v1/events/{id}\",status=\"200\"} 2")
                .contains("kickoff_lsm_api_responses_total{method=\"GET\",route=\"/v1/events/{id}\",status=\"404\"} 1")
                .contains("kickoff_lsm_api_responses_total{method=\"POST\",route=\"/v1/events\",status=\"201\"} 1")
                .contains("kickoff_lsm_api_responses_total{method=\"GET\",route=\"/v1/events\",status=\"401\"} 1")
                .contains("kickoff_lsm_api_responses_total{method=\"POST\",route=\"/v1/events\",status=\"413\"} 1")
                .contains("kickoff_lsm_api_requests_seconds_count{method=\"GET\",route=\"/v1/events/{id}\"} 3")
                .contains("kickoff_lsm_api_requests_seconds_bucket{method=\"GET\",route=\"/v1/events/{id}\",le=\"+Inf\"} 3")
                .contains("kickoff_lsm_api_requests_seconds_sum{method=\"GET\",route=\"/v1/events/{id}\"}")
                .doesNotContain("quantile=")
                .contains("kickoff_lsm_outbox_depth 3");
    }
}
