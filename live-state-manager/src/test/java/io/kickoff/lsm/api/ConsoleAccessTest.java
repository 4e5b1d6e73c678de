package io.kickoff.lsm.api;

import static io.kickoff.lsm.api.AdminApiFixture.OPERATOR;
import static io.kickoff.lsm.api.AdminApiFixture.VIEWER;
import static io.kickoff.lsm.api.AdminApiTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kickoff.testkit.RawHttpConnection;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the producer console needs of the admin port, over real HTTP: its files and config.json, who a token is,
 * transitions that honour If-Match, the stages an event may move to, and CORS only where configured.
 */
class ConsoleAccessTest {
    static final String CONSOLE_ORIGIN = "https://console.example.com";
    final AdminApiFixture api = new AdminApiFixture(BrowserAccess.none().withCorsOrigins(List.of(CONSOLE_ORIGIN))
            .withBundleApi("http://127.0.0.1:8082"));

    @AfterEach
    void close() {
        api.close();
    }

    HttpResponse<String> plainGet(String path, String... headers) throws Exception {
        return api.send("GET", path, null, null, null, headers);
    }

    @Test
    void theConsoleItsScriptsAndUplotAreServedWithoutAToken() throws Exception {
        HttpResponse<String> page = plainGet("/console/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("script-src 'self'");
        assertThat(page.body()).contains("<title>Kickoff console</title>", "console.js");
        for (String file : List.of("console.js", "api.js", "chart.js", "delivery.js", "audience.js", "console.css", "vendor/uplot/uPlot.esm.js",
                "vendor/uplot/uPlot.min.css")) {
            HttpResponse<String> asset = plainGet("/console/" + file);
            assertThat(asset.statusCode()).as(file).isEqualTo(200);
            assertThat(asset.headers().firstValue("ETag")).as(file).isPresent();
        }
        assertThat(plainGet("/console/vendor/uplot/uPlot.esm.js").body()).contains("export");
        assertThat(plainGet("/console/../v1/events").statusCode()).isNotEqualTo(200);
        assertThat(plainGet("/console/nothing.js").statusCode()).isEqualTo(404);
    }

    @Test
    void configJsonNamesTheBundleApiOrNull() throws Exception {
        assertThat(plainGet("/console/config.json").body()).isEqualTo("{\"bundle_api\":\"http://127.0.0.1:8082\",\"home_screen\":\"http://127.0.0.1:8082/home/\"}");
        try (AdminApiFixture without = new AdminApiFixture(BrowserAccess.none())) {
            assertThat(without.send("GET", "/console/config.json", null, null, null).body())
                    .isEqualTo("{\"bundle_api\":null,\"home_screen\":null}");
        }
    }

    @Test
    void meSaysWhoATokenIs() throws Exception {
        JsonNode operator = AdminApiFixture.json(api.send("GET", "/v1/me", OPERATOR, null, null));
        assertThat(operator.get("name").asText()).isEqualTo("alice");
        assertThat(operator.get("role").asText()).isEqualTo("OPERATOR");
        assertThat(operator.get("may_write").asBoolean()).isTrue();
        JsonNode viewer = AdminApiFixture.json(api.get("/v1/me"));
        assertThat(viewer.get("name").asText()).isEqualTo("victor");
        assertThat(viewer.get("may_write").asBoolean()).isFalse();
        assertProblem(plainGet("/v1/me"), 401, "unauthorized");
        assertThat(plainGet("/v1/me").headers().firstValue("Cache-Control")).contains("no-store");
    }

    @Test
    void aTransitionWithAStaleIfMatchIsRefused412AndNotApplied() throws Exception {
        api.create("e1");
        assertThat(api.patch("/v1/events/e1", "{\"title\":\"Renamed\"}").statusCode()).isEqualTo(200);

        HttpResponse<String> stale = api.post("/v1/events/e1/transitions", "{\"to\":\"LIVE\"}", "If-Match", "\"1\"");
        assertProblem(stale, 412, "precondition-failed");
        assertThat(stale.headers().firstValue("ETag")).contains("\"2\"");
        assertThat(AdminApiFixture.json(stale).get("current_etag").asText()).isEqualTo("\"2\"");
        assertThat(AdminApiFixture.json(api.get("/v1/events/e1")).get("stage").asText()).isEqualTo("SCHEDULED");

        HttpResponse<String> current = api.post("/v1/events/e1/transitions", "{\"to\":\"LIVE\"}", "If-Match", "\"2\"");
        assertThat(current.statusCode()).isEqualTo(200);
        assertThat(AdminApiFixture.json(current).get("stage").asText()).isEqualTo("LIVE");
        assertThat(api.post("/v1/events/e1/transitions", "{\"to\":\"ENDED\"}", "If-Match", "*").statusCode()).isEqualTo(200);
    }

    @Test
    void anEventListsTheStagesItMayMoveTo() throws Exception {
        JsonNode created = AdminApiFixture.json(api.create("e1"));
        assertThat(created.get("next_stages")).extracting(JsonNode::asText)
                .containsExactly("PREFETCH", "PRE_SHOW", "LIVE", "CANCELLED");
        JsonNode live = AdminApiFixture.json(api.post("/v1/events/e1/transitions", "{\"to\":\"LIVE\"}"));
        assertThat(live.get("next_stages")).extracting(JsonNode::asText).containsExactly("ENDED", "CANCELLED");
        JsonNode ended = AdminApiFixture.json(api.post("/v1/events/e1/transitions", "{\"to\":\"ENDED\"}"));
        assertThat(ended.get("next_stages")).isEmpty();
    }

    @Test
    void aConfiguredOriginMayCallTheApiAndOthersMayNot() throws Exception {
        HttpResponse<String> preflight = api.send("OPTIONS", "/v1/events", null, null, null,
                "Origin", CONSOLE_ORIGIN, "Access-Control-Request-Method", "POST",
                "Access-Control-Request-Headers", "authorization, content-type, if-match, idempotency-key");
        assertThat(preflight.statusCode()).isEqualTo(200);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).contains(CONSOLE_ORIGIN);

        HttpResponse<String> read = api.send("GET", "/v1/events", VIEWER, null, null, "Origin", CONSOLE_ORIGIN);
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.headers().firstValue("Access-Control-Allow-Origin")).contains(CONSOLE_ORIGIN);

        // Another origin's preflight is granted nothing (the browser then refuses the call); its calls are 403.
        HttpResponse<String> other = api.send("OPTIONS", "/v1/events", null, null, null,
                "Origin", "https://evil.example", "Access-Control-Request-Method", "POST");
        assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(other.headers().firstValue("Access-Control-Allow-Methods")).isEmpty();
        String raw = RawHttpConnection.exchange(api.server.port(), "OPTIONS /v1/events HTTP/1.1\r\nHost: a\r\n"
                + "Origin: https://evil.example\r\nAccess-Control-Request-Method: GET\r\n\r\n"
                + "GET /v1/events HTTP/1.1\r\nHost: a\r\n"
                + "Authorization: Bearer " + VIEWER + "\r\nOrigin: https://evil.example\r\nConnection: close\r\n\r\n",
                Duration.ofSeconds(10));
        assertThat(raw.substring(raw.lastIndexOf("HTTP/1.1 "))).as(raw).startsWith("HTTP/1.1 403");
    }

    @Test
    void theConsolesOwnWritesCarryItsOriginAndAreNotRefused() throws Exception {
        String self = "http://127.0.0.1:" + api.server.port();
        HttpResponse<String> created = api.send("POST", "/v1/events", OPERATOR, "application/json",
                AdminApiFixture.createBody("e1", java.util.Map.of()), "Origin", self);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }

    @Test
    void withoutConfiguredOriginsNoCrossOriginAccessIsGranted() throws Exception {
        try (AdminApiFixture closed = new AdminApiFixture(BrowserAccess.none())) {
            HttpResponse<String> preflight = closed.send("OPTIONS", "/v1/events", null, null, null,
                    "Origin", CONSOLE_ORIGIN, "Access-Control-Request-Method", "POST");
            assertThat(preflight.statusCode()).isEqualTo(405);
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
            HttpResponse<String> read = closed.send("GET", "/v1/events", VIEWER, null, null, "Origin", CONSOLE_ORIGIN);
            assertThat(read.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        }
    }

    @Test
    void pipelinedApiAndConsoleRequestsAreAnsweredInOrder() throws Exception {
        try (RawHttpConnection connection = new RawHttpConnection(api.server.port())) {
            String received = connection.send("GET /v1/events HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " + VIEWER
                            + "\r\n\r\nGET /console/config.json HTTP/1.1\r\nHost: a\r\n\r\n"
                            + "GET /v1/me HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " + VIEWER
                            + "\r\nConnection: close\r\n\r\n")
                    .readUntilClosed(Duration.ofSeconds(10));
            int events = received.indexOf("\"events\"");
            int config = received.indexOf("\"bundle_api\"");
            int me = received.indexOf("\"victor\"");
            assertThat(events).as(received).isPositive();
            assertThat(config).as(received).isGreaterThan(events);
            assertThat(me).as(received).isGreaterThan(config);
        }
    }
}
