package io.kickoff.loadtests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The few admin API calls the simulations make as the producer (docs/admin-api.yaml), over plain
 * {@code java.net.http}: they are set-up and trigger steps, not load, so they stay out of Gatling's
 * statistics.
 */
final class AdminClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final String adminUrl;
    private final String adminToken;

    AdminClient(String adminUrl, String adminToken) {
        this.adminUrl = adminUrl.replaceAll("/+$", "");
        this.adminToken = adminToken;
    }

    /** Creates an event in stage SCHEDULED (seq 0: nothing is broadcast yet). */
    void createEvent(String id, String title, List<String> segments, Instant scheduledStart) {
        ObjectNode body = JSON.createObjectNode()
                .put("id", id)
                .put("title", title)
                .put("scheduled_start", scheduledStart.toString());
        segments.forEach(body.putArray("segments")::add);
        HttpResponse<String> response = send(post("/v1/events", body));
        if (response.statusCode() != 201) {
            throw new IllegalStateException("creating event " + id + ": HTTP " + response.statusCode() + " " + response.body());
        }
    }

    /** Moves the event to {@code stage} now and returns the event as the LSM answered it (its {@code seq} is that of the update). */
    JsonNode transition(String id, String stage) {
        HttpResponse<String> response = send(post("/v1/events/" + id + "/transitions",
                JSON.createObjectNode().put("to", stage)));
        if (response.statusCode() != 200) {
            throw new IllegalStateException("moving event " + id + " to " + stage + ": HTTP " + response.statusCode()
                    + " " + response.body());
        }
        return parse(response.body());
    }

    /** How far each stage update of the event reached devices, as the gateways report it. */
    JsonNode delivery(String id) {
        HttpResponse<String> response = send(authorized(URI.create(adminUrl + "/v1/events/" + id + "/delivery")).GET().build());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("delivery of " + id + ": HTTP " + response.statusCode() + " " + response.body());
        }
        return parse(response.body());
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

    private HttpRequest post(String path, JsonNode body) {
        return authorized(URI.create(adminUrl + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
    }

    private HttpRequest.Builder authorized(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Authorization", "Bearer " + adminToken);
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(request.method() + " " + request.uri() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + body, e);
        }
    }
}
