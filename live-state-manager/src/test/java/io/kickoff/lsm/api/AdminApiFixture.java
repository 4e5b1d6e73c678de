package io.kickoff.lsm.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.kickoff.http.EdgeLimits;
import io.kickoff.bus.InProcessEventBus;
import io.kickoff.lsm.audience.BusAudienceView;
import io.kickoff.lsm.audience.UnavailableAudienceView;
import io.kickoff.lsm.delivery.DeliveryBoard;
import io.kickoff.lsm.event.EventStore;
import io.kickoff.lsm.event.InMemoryEventStore;
import io.kickoff.lsm.event.LiveEvents;
import io.kickoff.lsm.event.StoreHealth;
import io.kickoff.testkit.MutableClock;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real admin server on a free port, over an in-memory store that tests can make fail, and an HTTP client.
 * A test class holds one per test and has it closed after each:
 * {@code @RegisterExtension final AdminApiFixture api = new AdminApiFixture();}
 *
 * <p>The client is raw HTTP on purpose, not {@code client.AdminClient}: these tests send what a well-behaved client
 * never does (malformed JSON, wrong media types and methods, odd headers and tokens) and read the answer as it is on
 * the wire. Tests of a running instance as a caller sees it use {@code AdminClient} ({@code TestLiveStateManagers}).
 */
final class AdminApiFixture implements AutoCloseable, AfterEachCallback {
    static final String OPERATOR = "op-token";
    static final String OTHER_OPERATOR = "op-token-2";
    static final String VIEWER = "view-token";
    static final Instant NOW = Instant.parse("2026-11-21T20:00:00Z");
    static final String START = "2026-11-21T21:00:00Z";

    final MutableClock clock = new MutableClock(NOW);
    final FailingStore store = FailingStore.inMemory(clock);
    final LiveEvents events = new LiveEvents(store, clock);
    final DeliveryBoard board = new DeliveryBoard(clock);
    final AtomicBoolean busUp = new AtomicBoolean(true);
    final StoreHealth storeHealth = new StoreHealth(store, Duration.ofMillis(300));
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** The bus the audience view reads (tests publish audience snapshots and stage updates on it). */
    final InProcessEventBus bus = new InProcessEventBus();
    final BusAudienceView audience = BusAudienceView.subscribe(bus, clock);
    final AdminServer server;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    AdminApiFixture() {
        this(EdgeLimits.defaults(AdminServer.DEFAULT_MAX_CONNECTIONS));
    }

    AdminApiFixture(EdgeLimits limits) {
        this(limits, BrowserAccess.none(), Duration.ofSeconds(1));
    }

    /**
     * With {@code browser}'s CORS origins and bundle API (for the console), and the API's default timeout: these tests
     * are about what browsers get, not about a slow store.
     */
    AdminApiFixture(BrowserAccess browser) {
        this(EdgeLimits.defaults(AdminServer.DEFAULT_MAX_CONNECTIONS), browser, AdminApi.DEFAULT_TIMEOUT);
    }

    AdminApiFixture(EdgeLimits limits, BrowserAccess browser, Duration timeout) {
        this(limits, browser, timeout, true);
    }

    /** As {@code memory} mode has it: no audience source, the audience endpoint answers 503. */
    static AdminApiFixture withoutAudience() {
        return new AdminApiFixture(EdgeLimits.defaults(AdminServer.DEFAULT_MAX_CONNECTIONS), BrowserAccess.none(),
                Duration.ofSeconds(1), false);
    }

    private AdminApiFixture(EdgeLimits limits, BrowserAccess browser, Duration timeout, boolean withAudience) {
        Map<String, AdminToken> tokens = Map.of(
                OPERATOR, AdminToken.operator("alice"),
                OTHER_OPERATOR, AdminToken.operator("bob"),
                VIEWER, AdminToken.viewer("victor"));
        try {
            server = AdminServer.start("127.0.0.1", 0,
                    new AdminApi(events, store, board, withAudience ? audience : new UnavailableAudienceView(), tokens,
                            new Readiness(storeHealth::isUp, busUp::get), registry, timeout),
                    limits, browser, java.util.Optional.empty());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the admin server", e);
        }
    }

    /** The in-memory store of this module (one place to change if it moves). */
    static EventStore memoryStore(Clock clock) {
        return new InMemoryEventStore(clock);
    }

    @Override
    public void close() {
        server.close();
        audience.close();
        bus.close();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    /** A request; {@code headers} as name, value, name, value... */
    HttpRequest request(String method, String path, String token, String contentType, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return b.build();
    }

    HttpResponse<String> send(String method, String path, String token, String contentType, String body, String... headers)
            throws Exception {
        return http.send(request(method, path, token, contentType, body, headers), HttpResponse.BodyHandlers.ofString());
    }

    CompletableFuture<HttpResponse<String>> sendAsync(String method, String path, String token, String body, String... headers) {
        return http.sendAsync(request(method, path, token, "application/json", body, headers), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, VIEWER, null, null);
    }

    HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        return send("POST", path, OPERATOR, "application/json", body, headers);
    }

    HttpResponse<String> patch(String path, String body, String... headers) throws Exception {
        return send("PATCH", path, OPERATOR, "application/json", body, headers);
    }

    /** Creates an event starting at {@link #START}; returns the answer. */
    HttpResponse<String> create(String id) throws Exception {
        return post("/v1/events", createBody(id, Map.of()));
    }

    static String createBody(String id, Map<String, Object> more) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("title", "The Final");
        body.put("scheduled_start", START);
        body.put("segments", java.util.List.of("us-en"));
        body.putAll(more);
        return new String(Json.write(body), java.nio.charset.StandardCharsets.UTF_8);
    }

    static JsonNode json(HttpResponse<String> response) throws Exception {
        return Json.MAPPER.readTree(response.body());
    }
}
