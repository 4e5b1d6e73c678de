package io.kickoff.loadtests;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The readiness probes a simulation makes before it starts, so that it fails at once against a platform that is not up. */
final class Probes {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private Probes() {
    }

    /** Fails with a message naming the URL unless it answers 200 (a readiness probe). */
    static void requireOk(String url, String what) {
        HttpClient probe = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        try {
            HttpResponse<String> response = probe.send(HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(what + " is not ready: " + url + " answered HTTP " + response.statusCode());
            }
        } catch (IOException e) {
            throw new IllegalStateException(what + " is not reachable at " + url + " (" + e + "); is the platform running?", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
