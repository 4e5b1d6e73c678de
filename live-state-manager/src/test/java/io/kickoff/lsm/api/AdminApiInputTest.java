package io.kickoff.lsm.api;

import static io.kickoff.lsm.api.AdminApiFixture.NOW;
import static io.kickoff.lsm.api.AdminApiFixture.createBody;
import static io.kickoff.lsm.api.AdminApiFixture.json;
import static io.kickoff.lsm.api.AdminApiTest.assertInvalid;
import static io.kickoff.lsm.api.AdminApiTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.kickoff.lsm.event.LiveEvents;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/** Bad input to the admin API: each answered with a documented 4xx (or 503 for a missed deadline), nothing stored. */
class AdminApiInputTest {
    @RegisterExtension
    final AdminApiFixture api = new AdminApiFixture();

    // ---------------------------------------------------------------- time range

    @Test
    void aLeadThatPutsAStageOutOfRangeIs400AndPoisonsNothing() throws Exception {
        HttpResponse<String> r = api.post("/v1/events", createBody("overflow", Map.of("prefetch_lead", "PT2562047788015215H")));
        assertInvalid(r, "prefetch_lead");
        assertInvalid(api.post("/v1/events", createBody("overflow", Map.of(
                "prefetch_lead", "PT2562047788015215H", "pre_show_lead", "PT2562047788015215H"))), "prefetch_lead");
        assertInvalid(api.post("/v1/events", createBody("early", Map.of("scheduled_start", "0001-01-01T00:10:00Z",
                "allow_past_start", true))), "prefetch_lead");

        assertThat(api.get("/v1/events/overflow").statusCode()).isEqualTo(404);
        HttpResponse<String> list = api.get("/v1/events");
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(json(list).get("events")).isEmpty();

        api.create("e1");
        assertInvalid(api.patch("/v1/events/e1", "{\"prefetch_lead\":\"PT2562047788015215H\"}"), "prefetch_lead");
        assertThat(api.get("/v1/events/e1").statusCode()).isEqualTo(200);
        assertThat(api.get("/v1/events").statusCode()).isEqualTo(200);
    }

    @Test
    void timestampsOutsideRfc3339AndTimestampRangeAre400NamingTheField() throws Exception {
        for (String bad : List.of("0000-06-01T00:00:00Z", "10000-01-01T00:00:00Z", "+10000-01-01T00:00:00Z",
                "-0001-01-01T00:00:00Z", "+2026-11-21T21:00:00Z", "0001-01-01T00:00:00+01:00")) {
            assertInvalid(api.post("/v1/events", createBody("bad-start", Map.of("scheduled_start", bad,
                    "allow_past_start", true))), "scheduled_start");
            assertInvalid(api.post("/v1/events", createBody("bad-end", Map.of("expected_end", bad))), "expected_end");
        }
        assertThat(api.post("/v1/events", createBody("latest", Map.of("scheduled_start", "9999-12-31T23:59:59Z")))
                .statusCode()).isEqualTo(201);
        assertThat(api.get("/v1/events").statusCode()).isEqualTo(200);
    }

    @Test
    void durationsThatOverflowAre400() throws Exception {
        assertInvalid(api.post("/v1/events", createBody("d", Map.of("pre_show_lead", "PT9999999999999999999H"))), "pre_show_lead");
        assertInvalid(api.post("/v1/events", createBody("d", Map.of("prefetch_lead", "PT2562047788015215H",
                "pre_show_lead", "PT1M"))), "prefetch_lead");
        assertInvalid(api.post("/v1/events", createBody("d", Map.of("prefetch_lead", "P106751991167300D"))), "prefetch_lead");
    }

    // ---------------------------------------------------------------- start in the past

    @Test
    void aStartInThePastIs400UnlessAllowed() throws Exception {
        String past = NOW.minusSeconds(60).toString();
        assertInvalid(api.post("/v1/events", createBody("typo", Map.of("scheduled_start", past))), "scheduled_start");
        assertThat(api.get("/v1/events/typo").statusCode()).isEqualTo(404);

        HttpResponse<String> allowed = api.post("/v1/events", createBody("now", Map.of("scheduled_start", past,
                "allow_past_start", true)));
        assertThat(allowed.statusCode()).isEqualTo(201);

        api.create("e1");
        assertInvalid(api.patch("/v1/events/e1", "{\"scheduled_start\":\"" + past + "\"}"), "scheduled_start");
        assertThat(json(api.get("/v1/events/e1")).get("version").asLong()).isEqualTo(1);
        assertThat(api.patch("/v1/events/e1", "{\"scheduled_start\":\"" + past + "\",\"allow_past_start\":true}")
                .statusCode()).isEqualTo(200);
        assertInvalid(api.post("/v1/events", createBody("x", Map.of("allow_past_start", "yes"))), "allow_past_start");
    }

    // ---------------------------------------------------------------- segments

    @Test
    void segmentsMustMatchTheDocumentedPattern() throws Exception {
        for (String bad : List.of(" us-en", "us-en ", "US-EN", "us en", "a/b", "-us", ".us", "us\nen", "x".repeat(65))) {
            assertInvalid(api.post("/v1/events", createBody("s", Map.of("segments", List.of(bad)))), "segments");
        }
        HttpResponse<String> ok = api.post("/v1/events", createBody("s", Map.of("segments",
                List.of("us-en-adult", "us-en-teen", "br-pt-adult", "s0", "us-en", "a.b_c-d"))));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(201);
    }

    // ---------------------------------------------------------------- idempotency

    @Test
    void anIdempotentRetryMayOrderItsKeysAndSpacesDifferently() throws Exception {
        String first = "{\"id\":\"k\",\"title\":\"The Final\",\"scheduled_start\":\"2026-11-21T21:00:00Z\",\"segments\":[\"us-en\"]}";
        String reordered = "{ \"segments\" : [ \"us-en\" ],\n  \"scheduled_start\":\"2026-11-21T21:00:00Z\", \"title\":\"The Final\", \"id\":\"k\" }";
        assertThat(api.post("/v1/events", first, "Idempotency-Key", "same").statusCode()).isEqualTo(201);
        HttpResponse<String> retry = api.post("/v1/events", reordered, "Idempotency-Key", "same");
        assertThat(retry.statusCode()).as(retry.body()).isEqualTo(201);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).contains("true");
    }

    @Test
    void idempotencyKeysAreScopedByTheDecodedPath() throws Exception {
        api.create("e1");
        HttpResponse<String> first = api.post("/v1/events/e1/transitions", "{\"to\":\"PREFETCH\"}", "Idempotency-Key", "t-1");
        HttpResponse<String> retry = api.post("/v1/events/e%31/transitions", "{\"to\":\"PREFETCH\"}", "Idempotency-Key", "t-1");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(retry.statusCode()).as(retry.body()).isEqualTo(200);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).contains("true");
        assertThat(api.events.history("e1").join()).hasSize(2);
    }

    // ---------------------------------------------------------------- Retry-After

    @Test
    void every503CarriesAJitteredRetryAfter() throws Exception {
        api.create("e1");
        api.store.mode = FailingStore.Mode.DOWN;
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            HttpResponse<String> r = i % 2 == 0 ? api.get("/v1/events/e1") : api.get("/readyz");
            assertThat(r.statusCode()).isEqualTo(503);
            int retryAfter = Integer.parseInt(r.headers().firstValue("Retry-After").orElseThrow());
            assertThat(retryAfter).isBetween(1, 10);
            seen.add(retryAfter);
        }
        assertThat(seen).as("producers refused together must not come back together").hasSizeGreaterThan(1);
    }

    // ---------------------------------------------------------------- deadline

    @Test
    void aWriteThatWaitedPastItsDeadlineIsNotAppliedAndSaysSo() throws Exception {
        api.create("e1");
        api.store.heldFinds = new CompletableFuture<>();
        int findsBefore = api.store.finds.get();
        int writesBefore = api.store.writes.get();
        CompletableFuture<HttpResponse<String>> answer = api.sendAsync("POST", "/v1/events/e1/transitions",
                AdminApiFixture.OPERATOR, "{\"to\":\"PREFETCH\"}", "Request-Timeout", "0.5");
        await().until(() -> api.store.finds.get() > findsBefore);

        api.clock.advance(Duration.ofSeconds(1));   // the store stalled past the request's deadline
        api.store.heldFinds.complete(null);

        HttpResponse<String> r = answer.get();
        assertProblem(r, 503, "deadline-exceeded");
        assertThat(json(r).get("applied").asBoolean()).isFalse();
        assertThat(Integer.parseInt(r.headers().firstValue("Retry-After").orElseThrow())).isBetween(1, 10);
        assertThat(api.store.writes.get()).as("nothing was written").isEqualTo(writesBefore);
        api.store.heldFinds = null;
        assertThat(json(api.get("/v1/events/e1")).get("stage").asText()).isEqualTo("SCHEDULED");
        assertThat(api.events.history("e1").join()).hasSize(1);
    }

    @Test
    void aWriteWithinItsDeadlineIsApplied() throws Exception {
        api.create("e1");
        api.store.heldFinds = new CompletableFuture<>();
        int findsBefore = api.store.finds.get();
        CompletableFuture<HttpResponse<String>> answer = api.sendAsync("POST", "/v1/events/e1/transitions",
                AdminApiFixture.OPERATOR, "{\"to\":\"PREFETCH\"}", "Request-Timeout", "30");
        await().until(() -> api.store.finds.get() > findsBefore);
        api.clock.advance(Duration.ofSeconds(10));
        api.store.heldFinds.complete(null);
        assertThat(answer.get().statusCode()).isEqualTo(200);
    }

    @Test
    void aBadRequestTimeoutIs400() throws Exception {
        api.create("e1");
        for (String bad : List.of("soon", "0", "-1", "61", "1e9")) {
            assertInvalid(api.post("/v1/events/e1/transitions", "{\"to\":\"PREFETCH\"}", "Request-Timeout", bad),
                    "Request-Timeout");
        }
    }

    // ---------------------------------------------------------------- logs

    @Test
    void valuesFromRequestsCannotForgeLogLines() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(LiveEvents.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            api.create("e1");
            HttpResponse<String> r = api.post("/v1/events/e1/transitions",
                    "{\"to\":\"PREFETCH\",\"reason\":\"ok\\r\\nINFO event e1 -> LIVE\"}");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(appender.list).isNotEmpty();
            assertThat(appender.list).allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain("\n", "\r"));
            assertThat(appender.list).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("ok\\r\\nINFO"));
        } finally {
            logger.detachAppender(appender);
        }
    }
}
