package io.kickoff.lsm.api;

import io.kickoff.http.EdgeLimits;
import io.kickoff.http.Probes;
import io.kickoff.http.RetryAfter;
import io.kickoff.http.RouteTable;
import io.kickoff.lsm.audience.AudienceView;
import io.kickoff.lsm.audience.UnavailableAudienceView;
import io.kickoff.lsm.delivery.DeliveryBoard;
import io.kickoff.lsm.event.LiveEvents;
import io.kickoff.lsm.idempotency.Idempotency;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The admin API for producers, HTTP/JSON under {@code /v1} (described in {@code docs/admin-api.yaml}), and the
 * operational endpoints {@code /healthz}, {@code /readyz} and {@code /metrics}: what it works on, and the steps of its
 * pipeline, built once and shared by every connection ({@link AdminInitializer} puts them in order).
 *
 * <p>Every storage step is a future, so the event loop never waits. A request that the store does not finish within
 * the timeout is answered 503 with {@code Retry-After}, like one that fails with
 * {@link io.kickoff.lsm.event.StoreUnavailableException}. Every write has a deadline: the timeout after it was read, or
 * what its {@code Request-Timeout} header asks for; a write still waiting when its deadline passes is not applied and
 * is answered 503 {@code deadline-exceeded}. Writes may carry an {@code Idempotency-Key} (see {@link Idempotent}).
 */
public final class AdminApi {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration IDEMPOTENCY_TTL = Idempotent.TTL;

    private final PrometheusMeterRegistry registry;
    private final RetryAfter retryAfter;
    final RouteTable<AdminRoutes.Endpoint> routes;
    final Exchanges exchanges;
    final Deadlines deadlines;
    final Routing routing;
    final ProbeAnswers probes;
    final Authentication authentication;
    final Targets targets = new Targets();
    final MediaTypes mediaTypes = new MediaTypes();
    final Inputs inputs = new Inputs();
    final Idempotent idempotent;
    final Operations operations = new Operations();

    /**
     * @param events      the state machine the API drives
     * @param idempotency where the first answers to writes with an {@code Idempotency-Key} are kept
     * @param delivery    delivery figures reported by the gateways
     * @param audience    the audience of events ({@code GET /v1/events/{id}/audience}; 503 where it is unavailable)
     * @param tokens      bearer token → its name (the actor in history) and role
     * @param readiness   whether the store and the bus can be used, for {@code /readyz}; asked on an event loop
     * @param registry    where the API's meters go and what {@code /metrics} exposes (register more meters on it freely)
     * @param timeout     how long a request may wait for the store before it is answered 503; also the default
     *                    deadline of writes (see {@code Request-Timeout})
     * @param retryAfter  the jittered {@code Retry-After} of every 503
     */
    public AdminApi(LiveEvents events, Idempotency idempotency, DeliveryBoard delivery, AudienceView audience,
                    Map<String, AdminToken> tokens, Readiness readiness, PrometheusMeterRegistry registry, Duration timeout,
                    RetryAfter retryAfter) {
        Objects.requireNonNull(events, "events");
        Objects.requireNonNull(idempotency, "idempotency");
        Objects.requireNonNull(delivery, "delivery");
        Objects.requireNonNull(readiness, "readiness");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        Problems problems = new Problems(retryAfter);
        Map<String, java.util.function.BooleanSupplier> checks = new LinkedHashMap<>();
        checks.put("store", readiness.store());
        checks.put("bus", readiness.bus());
        this.routes = AdminRoutes.table(new EventOperations(events, delivery, audience));
        this.authentication = new Authentication(tokens);
        this.exchanges = new Exchanges(routes, problems, new ApiMetrics(registry, routes));
        this.deadlines = new Deadlines(events.clock(), timeout);
        this.routing = new Routing(routes);
        this.probes = new ProbeAnswers(new Probes(checks, registry::scrape), problems);
        this.idempotent = new Idempotent(idempotency, problems);
    }

    /** As the full constructor, with the default Retry-After range ({@link EdgeLimits#defaults}). */
    public AdminApi(LiveEvents events, Idempotency idempotency, DeliveryBoard delivery, AudienceView audience,
                    Map<String, AdminToken> tokens, Readiness readiness, PrometheusMeterRegistry registry, Duration timeout) {
        this(events, idempotency, delivery, audience, tokens, readiness, registry, timeout,
                RetryAfter.between(EdgeLimits.DEFAULT_RETRY_AFTER_MIN, EdgeLimits.DEFAULT_RETRY_AFTER_MAX));
    }

    /** As the full constructor, with the {@link #DEFAULT_TIMEOUT} and the default Retry-After range. */
    public AdminApi(LiveEvents events, Idempotency idempotency, DeliveryBoard delivery, AudienceView audience,
                    Map<String, AdminToken> tokens, Readiness readiness, PrometheusMeterRegistry registry) {
        this(events, idempotency, delivery, audience, tokens, readiness, registry, DEFAULT_TIMEOUT);
    }

    /** With no audience source (the audience endpoint answers 503), the default Retry-After range. */
    public AdminApi(LiveEvents events, Idempotency idempotency, DeliveryBoard delivery, Map<String, AdminToken> tokens,
                    Readiness readiness, PrometheusMeterRegistry registry, Duration timeout) {
        this(events, idempotency, delivery, new UnavailableAudienceView(), tokens, readiness, registry, timeout);
    }

    /** The jittered Retry-After of this API's 503 answers. */
    public RetryAfter retryAfter() {
        return retryAfter;
    }

    /** The registry {@code /metrics} exposes. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Every route the API serves, as {@code METHOD /template}, in table order. */
    public java.util.List<String> routes() {
        return routes.routes().stream().map(r -> r.method().name() + " " + r.template()).toList();
    }
}
