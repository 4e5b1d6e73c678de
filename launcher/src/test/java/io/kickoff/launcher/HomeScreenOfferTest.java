package io.kickoff.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kickoff.gateway.GatewayConfig;
import io.kickoff.protocol.token.DeviceClaims;
import io.kickoff.protocol.token.DeviceTokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The home screen's device tokens: offered with the development secret or the flag only; CORS for the console. */
class HomeScreenOfferTest {
    static final String REAL_SECRET = "a-real-secret-a-real-secret-a-real-secret";
    final HttpClient http = HttpClient.newHttpClient();
    final ObjectMapper json = new ObjectMapper();

    static PlatformOptions options(String secret, boolean offer, String... corsOrigins) {
        PlatformOptions options = PlatformOptions.inMemoryOnFreePorts(List.of("test-operator"), secret);
        options.offerHomeTokens = offer;
        options.corsOrigins = List.of(corsOrigins);
        return options;
    }

    HttpResponse<String> get(String url, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void offeredOnlyWithTheDevelopmentSecretOrTheFlag() {
        assertThat(HomeScreenOffer.offered(true, false)).isTrue();
        assertThat(HomeScreenOffer.offered(false, true)).isTrue();
        assertThat(HomeScreenOffer.offered(false, false)).isFalse();
    }

    @Test
    void eachConfigCarriesAFreshTokenOfTheExampleSegmentForTheGateway() throws Exception {
        DeviceTokens tokens = DeviceTokens.withSecret(REAL_SECRET);
        HomeScreenOffer offer = HomeScreenOffer.of(URI.create("ws://127.0.0.1:8080/v1/connect"), tokens, REAL_SECRET,
                () -> List.of("br-pt-adult", "us-en-adult"));
        JsonNode first = json.readTree(offer.get());
        JsonNode second = json.readTree(offer.get());
        assertThat(first.get("gateway").asText()).isEqualTo("ws://127.0.0.1:8080/v1/connect");
        DeviceClaims claims = tokens.verify(first.get("token").asText());
        assertThat(claims.segment()).isEqualTo("us-en-adult");
        assertThat(claims.deviceId()).isEqualTo(first.get("deviceId").asText()).startsWith("home-");
        assertThat(second.get("deviceId").asText()).isNotEqualTo(first.get("deviceId").asText());
        assertThat(first.get("secretId").asText()).isEqualTo(second.get("secretId").asText()).doesNotContain(REAL_SECRET);
        assertThat(json.readTree(HomeScreenOffer.of(URI.create("ws://h:1/v1/connect"), tokens, REAL_SECRET,
                () -> List.of("br-pt-adult")).get()).get("token").isNull()).isFalse();
        assertThat(json.readTree(HomeScreenOffer.of(URI.create("ws://h:1/v1/connect"), tokens, REAL_SECRET,
                List::of).get()).has("token")).isFalse();
        assertThat(first.has("console")).as("no console known: no link").isFalse();
        HomeScreenOffer linked = offer.withConsole(URI.create("http://127.0.0.1:8081/console/"));
        assertThat(json.readTree(linked.get()).get("console").asText()).isEqualTo("http://127.0.0.1:8081/console/");
        assertThat(json.readTree(HomeScreenOffer.of(URI.create("ws://h:1/v1/connect"), tokens, REAL_SECRET, List::of)
                .withConsole(URI.create("http://h:2/console/")).get()).get("console").asText()).isEqualTo("http://h:2/console/");
    }

    @Test
    void serveWithTheDevelopmentSecretOffersTokensAndLetsTheConsoleOriginFetchBundles() throws Exception {
        try (Platform platform = Platform.start(options(PlatformOptions.DEV_TOKEN_SECRET, false),
                GatewayConfig.WarmUp.OFF)) {
            String bundleApi = "http://127.0.0.1:" + platform.prefetch().port();
            HttpResponse<String> config = get(bundleApi + "/home/config.json");
            assertThat(config.statusCode()).isEqualTo(200);
            JsonNode body = json.readTree(config.body());
            assertThat(body.get("gateway").asText()).isEqualTo("ws://127.0.0.1:" + platform.gateway().port() + "/v1/connect");
            assertThat(platform.tokens().verify(body.get("token").asText()).segment()).isEqualTo("us-en-adult");
            assertThat(body.get("console").asText()).isEqualTo("http://127.0.0.1:" + platform.lsm().adminPort() + "/console/");
            assertThat(platform.homeTokensOffered()).isTrue();
            assertThat(get(bundleApi + "/sdk/kickoff-device.js").statusCode()).isEqualTo(200);
            // The page's module scripts come with Origin set to the page's (the bundle API's own) origin.
            assertThat(get(bundleApi + "/home/home.js", "Origin", bundleApi).statusCode()).isEqualTo(200);
            assertThat(get(bundleApi + "/sdk/kickoff-device.js", "Origin", bundleApi).statusCode()).isEqualTo(200);

            String console = "http://127.0.0.1:" + platform.lsm().adminPort();
            HttpResponse<String> fromConsole = get(bundleApi + "/v1/bundles?segment=us-en-adult", "Origin", console,
                    "Accept", "application/json");
            assertThat(fromConsole.headers().firstValue("Access-Control-Allow-Origin")).hasValue(console);
            assertThat(get(bundleApi + "/v1/bundles?segment=us-en-adult", "Origin", "http://elsewhere.example")
                    .statusCode()).isEqualTo(403);
        }
    }

    @Test
    void aRealSecretOffersNoTokensUnlessTheFlagIsGiven() throws Exception {
        try (Platform platform = Platform.start(options(REAL_SECRET, false, "https://app.example"),
                GatewayConfig.WarmUp.OFF)) {
            String bundleApi = "http://127.0.0.1:" + platform.prefetch().port();
            assertThat(get(bundleApi + "/home/config.json").statusCode()).isEqualTo(404);
            assertThat(get(bundleApi + "/home/").statusCode()).isEqualTo(200);
            assertThat(platform.homeTokensOffered()).isFalse();
            assertThat(get(bundleApi + "/v1/bundles?segment=us-en-adult", "Origin", "https://app.example")
                    .headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");
        }
        try (Platform platform = Platform.start(options(REAL_SECRET, true), GatewayConfig.WarmUp.OFF)) {
            HttpResponse<String> config = get("http://127.0.0.1:" + platform.prefetch().port() + "/home/config.json");
            assertThat(config.statusCode()).isEqualTo(200);
            assertThat(platform.tokens().verify(json.readTree(config.body()).get("token").asText()).deviceId())
                    .startsWith("home-");
        }
    }
}
