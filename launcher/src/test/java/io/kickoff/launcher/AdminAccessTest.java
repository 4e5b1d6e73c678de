package io.kickoff.launcher;

import static io.kickoff.launcher.KickoffCliTest.assertOneLine;
import static io.kickoff.launcher.KickoffCliTest.help;
import static io.kickoff.launcher.KickoffCliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Named admin tokens, CORS origins and the console's bundle API, as serve and lsm take them. */
class AdminAccessTest {
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void helpDescribesTheOptions() {
        for (String command : new String[] {"serve", "lsm"}) {
            assertThat(help(command)).as(command).contains("--admin-token=[NAME:ROLE:]TOKEN", "NAME:viewer:TOKEN",
                    "--cors-origin=ORIGIN", "--bundle-api=URL");
        }
    }

    @Test
    void malformedTokensOriginsAndAddressesAreUsageErrorsBeforeAnythingStarts() {
        String[][] bad = {
                {"serve", "--admin-token", "bad name!:viewer:tok-1"},
                {"serve", "--admin-token", "victor:viewer:tok-1"},
                {"serve", "--admin-token", "alice:operator:tok-1", "--admin-token", "bob:viewer:tok-1"},
                {"serve", "--cors-origin", "ftp://console.example.com"},
                {"serve", "--bundle-api", "bundles.example.com"},
                {"lsm", "--kafka", "127.0.0.1:9", "--port", "0", "--admin-token", "bad name!:operator:tok-1"},
                {"lsm", "--kafka", "127.0.0.1:9", "--port", "0", "--cors-origin", "https://console.example.com/path"},
                {"lsm", "--kafka", "127.0.0.1:9", "--port", "0", "--bundle-api", "http://"}};
        for (String[] args : bad) {
            String[] withPorts = args[0].equals("serve") ? java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                    java.util.stream.Stream.of("--gateway-port", "0", "--admin-port", "0", "--bundle-port", "0"))
                    .toArray(String[]::new) : args;
            KickoffCliTest.Run refused = run(withPorts);
            String what = String.join(" ", args);
            assertThat(refused.exitCode()).as(what + refused.err()).isEqualTo(2);
            assertThat(refused.err()).as(what).containsAnyOf("--admin-token", "--cors-origin", "--bundle-api");
            assertThat(refused.err()).as(what).doesNotContain("tok-1");
            assertOneLine(refused, what);
        }
    }

    @Test
    void thePlatformServesTheConsoleWithNamedTokensTheConfiguredOriginAndItsBundleApi() throws Exception {
        try (Platform platform = Platform.inMemory(
                List.of("alice:operator:alice-token-1", "victor:viewer:victor-token-1", "legacy-token-1"),
                List.of("https://console.example.com"), Optional.empty())) {
            String admin = "http://127.0.0.1:" + platform.adminPort();
            assertThat(get(admin + "/v1/me", "victor-token-1").body()).contains("\"name\":\"victor\"", "\"VIEWER\"");
            assertThat(get(admin + "/v1/me", "legacy-token-1").body()).contains("\"name\":\"admin\"", "\"OPERATOR\"");

            HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(admin + "/v1/events"))
                    .header("Authorization", "Bearer alice-token-1").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"id\":\"e1\",\"title\":\"T\",\"scheduled_start\":\"2099-01-01T00:00:00Z\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            assertThat(get(admin + "/v1/events/e1/history", "victor-token-1").body()).contains("\"actor\":\"alice\"");

            HttpResponse<String> preflight = http.send(HttpRequest.newBuilder(URI.create(admin + "/v1/events"))
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                    .header("Origin", "https://console.example.com").header("Access-Control-Request-Method", "POST")
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).contains("https://console.example.com");

            assertThat(get(admin + "/console/config.json", null).body())
                    .isEqualTo("{\"bundle_api\":\"http://127.0.0.1:" + platform.bundlePort() + "\",\"home_screen\":\"http://127.0.0.1:"
                            + platform.bundlePort() + "/home/\"}");
            assertThat(get(admin + "/console/", null).body()).contains("Kickoff console");
            // With a CORS origin configured, the console's own module scripts (sent with its Origin) are still served.
            assertThat(http.send(HttpRequest.newBuilder(URI.create(admin + "/console/console.js")).header("Origin", admin)
                    .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

            PlatformOptions options = new PlatformOptions();
            options.mode = Mode.memory;
            options.host = "127.0.0.1";
            options.adminTokens = List.of("alice:operator:alice-token-1");
            StringWriter banner = new StringWriter();
            Banner.print(new PrintWriter(banner), options, platform);
            assertThat(banner.toString()).contains("console       " + admin + "/console/",
                    "Authorization: Bearer alice-token-1",
                    "home screen   http://127.0.0.1:" + platform.bundlePort() + "/home/");
        }
    }

    @Test
    void aBundleApiGivenToServeIsWhatTheConsoleIsTold() throws Exception {
        try (Platform platform = Platform.inMemory(List.of("tok-1"), List.of(), Optional.of("https://bundles.example.com/"))) {
            assertThat(get("http://127.0.0.1:" + platform.adminPort() + "/console/config.json", null).body())
                    .isEqualTo("{\"bundle_api\":\"https://bundles.example.com\",\"home_screen\":\"https://bundles.example.com/home/\"}");
        }
    }

    HttpResponse<String> get(String url, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
