package io.kickoff.prefetch.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.prefetch.bundle.InMemoryBundleStore;
import io.kickoff.protocol.token.DeviceTokens;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The web pages of the bundle API: the device SDK, the home screen, its config only when offered, CORS. */
class BundleServerPagesTest {
    final DeviceTokens tokens = DeviceTokens.withSecret(BundleServerTest.SECRET);
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    BundleServer server;
    String base;

    void start(BundleServerConfig config) throws InterruptedException {
        server = new BundleServer(config.withHost("127.0.0.1").withPort(0), new InMemoryBundleStore(), tokens,
                Set.of("teen")::contains, () -> true, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                Jitter.random());
        base = "http://127.0.0.1:" + server.start();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)), headers);
    }

    HttpResponse<String> send(HttpRequest.Builder b, String... headers) throws IOException, InterruptedException {
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesTheDeviceSdkAndItsDeclarationsFromTheJar() throws Exception {
        start(BundleServerConfig.defaults());
        HttpResponse<String> sdk = get("/sdk/kickoff-device.js");
        assertThat(sdk.statusCode()).isEqualTo(200);
        assertThat(sdk.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
        assertThat(sdk.body()).contains("export function connect(").contains("kickoff.v1.json");
        assertThat(get("/sdk/kickoff-device.d.ts").body()).contains("export function connect(options: DeviceOptions)");
        String etag = sdk.headers().firstValue("ETag").orElseThrow();
        assertThat(get("/sdk/kickoff-device.js", "If-None-Match", etag).statusCode()).isEqualTo(304);
        assertThat(get("/sdk/../v1/bundles").statusCode()).isIn(400, 404);
    }

    @Test
    void servesTheHomeScreenButItsConfigOnlyWhenOffered() throws Exception {
        start(BundleServerConfig.defaults());
        HttpResponse<String> page = get("/home/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("home.js");
        assertThat(page.headers().firstValue("Content-Security-Policy")).isPresent();
        assertThat(get("/home/home.js").body()).contains("from '../sdk/kickoff-device.js'");
        assertThat(get("/home/config.json").statusCode()).isEqualTo(404);
        assertThat(get("/home").statusCode()).isEqualTo(301);
    }

    @Test
    void servesTheOfferedConfigFreshOnEachRequest() throws Exception {
        int[] calls = {0};
        start(BundleServerConfig.defaults().withHomeConfig(() -> "{\"n\":" + (++calls[0]) + "}"));
        assertThat(get("/home/config.json").body()).isEqualTo("{\"n\":1}");
        HttpResponse<String> second = get("/home/config.json");
        assertThat(second.body()).isEqualTo("{\"n\":2}");
        assertThat(second.headers().firstValue("Content-Type")).hasValue("application/json");
    }

    @Test
    void noCrossOriginAccessUnlessConfigured() throws Exception {
        start(BundleServerConfig.defaults());
        HttpResponse<String> answer = get("/v1/bundles?segment=teen", "Origin", "http://console.example:8081",
                "Accept", "application/json");
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void aConfiguredOriginMayFetchBundlesWithADeviceTokenAndCriticalPriority() throws Exception {
        start(BundleServerConfig.defaults().withCorsOrigins(List.of("http://console.example:8081")));
        HttpResponse<String> preflight = send(HttpRequest.newBuilder(URI.create(base + "/v1/bundles"))
                        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()),
                "Origin", "http://console.example:8081", "Access-Control-Request-Method", "GET",
                "Access-Control-Request-Headers", "authorization,x-priority,if-none-match");
        assertThat(preflight.statusCode()).isEqualTo(200);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://console.example:8081");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("").toLowerCase())
                .contains("authorization").contains("x-priority");

        String token = "Bearer " + tokens.issue("d1", "teen", Duration.ofHours(1));
        HttpResponse<String> answer = get("/v1/bundles", "Origin", "http://console.example:8081",
                "Authorization", token, "X-Priority", "critical", "Accept", "application/json");
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://console.example:8081");
        assertThat(answer.headers().firstValue("Access-Control-Expose-Headers").orElse("").toLowerCase()).contains("etag");

        HttpResponse<String> other = send(HttpRequest.newBuilder(URI.create(base + "/v1/bundles"))
                        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()),
                "Origin", "http://evil.example", "Access-Control-Request-Method", "GET");
        assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).as("the browser refuses it").isEmpty();
        assertThat(get("/v1/bundles", "Origin", "http://evil.example", "Authorization", token).statusCode())
                .isEqualTo(403);
    }

    @Test
    void aBadOriginIsRefusedAtStart() {
        BundleServerConfig config = BundleServerConfig.defaults().withCorsOrigins(List.of("http://x.example/path"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> start(config))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CORS origin");
    }
}
