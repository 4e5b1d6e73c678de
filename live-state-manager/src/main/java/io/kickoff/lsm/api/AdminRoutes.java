package io.kickoff.lsm.api;

import static io.netty.handler.codec.http.HttpMethod.GET;
import static io.netty.handler.codec.http.HttpMethod.PATCH;
import static io.netty.handler.codec.http.HttpMethod.POST;

import io.kickoff.http.Probes;
import io.kickoff.http.RouteTable;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Every route of the admin API, in one table: method and path template → what answers it. The probes answer without
 * a token; the operations go through authentication, the media type, their input and idempotency first (see
 * {@link AdminInitializer}). {@code docs/admin-api.yaml} documents exactly these routes.
 */
final class AdminRoutes {
    static final Set<String> JSON = Set.of("application/json");
    static final Set<String> JSON_OR_MERGE_PATCH = Set.of("application/json", "application/merge-patch+json");

    /** What answers a route. */
    sealed interface Endpoint permits Probe, Operation {
    }

    /** The operational endpoints, answered by {@link ProbeAnswers}. */
    enum Probe implements Endpoint { HEALTH, READY, METRICS }

    /**
     * An operation on events.
     *
     * @param parameters the query parameters it takes (any other is a 400)
     * @param bodyTypes  the media types its body may have; empty: it reads no body
     * @param input      reads and checks the request's input (400 if invalid), then returns the work to do
     */
    record Operation(Set<String> parameters, Set<String> bodyTypes,
                     Function<Exchange, Supplier<CompletableFuture<Answer>>> input) implements Endpoint {
    }

    private AdminRoutes() {
    }

    static RouteTable<Endpoint> table(EventOperations events) {
        return RouteTable.<Endpoint>builder()
                .route(GET, "/v1/events", new Operation(Requests.LIST_PARAMETERS, Set.of(), events::list))
                .route(POST, "/v1/events", new Operation(Set.of(), JSON, events::create))
                .route(GET, "/v1/events/{id}", new Operation(Set.of(), Set.of(), events::find))
                .route(PATCH, "/v1/events/{id}", new Operation(Set.of(), JSON_OR_MERGE_PATCH, events::update))
                .route(POST, "/v1/events/{id}/transitions", new Operation(Set.of(), JSON, events::transition))
                .route(GET, "/v1/events/{id}/history", new Operation(Set.of(), Set.of(), events::history))
                .route(GET, "/v1/events/{id}/delivery", new Operation(Set.of(), Set.of(), events::delivery))
                .route(GET, "/v1/events/{id}/audience", new Operation(Requests.AUDIENCE_PARAMETERS, Set.of(), events::audience))
                .route(GET, "/v1/me", new Operation(Set.of(), Set.of(), Identity::me))
                .route(GET, Probes.HEALTHZ, Probe.HEALTH)
                .route(GET, Probes.READYZ, Probe.READY)
                .route(GET, Probes.METRICS, Probe.METRICS)
                .build();
    }

    /** Whether answers on {@code template} belong to the API proper (not a probe): they are never cached. */
    static boolean isApi(String template) {
        return template == null || template.startsWith("/v1/");
    }
}
