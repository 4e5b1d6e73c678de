package io.kickoff.prefetch.http;

import static io.netty.handler.codec.http.HttpMethod.GET;
import static io.netty.handler.codec.http.HttpMethod.HEAD;

import io.kickoff.http.Probes;
import io.kickoff.http.RouteTable;

/** Every route of the bundle API, in one table. The probes also answer HEAD, as load balancers may use it. */
final class BundleRoutes {
    static final String BUNDLES = "/v1/bundles";

    /** What answers a route: the bundles ({@link BundleListing}) or a probe ({@link BundleProbes}). */
    enum Endpoint { BUNDLES, HEALTH, READY, METRICS }

    private BundleRoutes() {
    }

    static RouteTable<Endpoint> table() {
        return RouteTable.<Endpoint>builder()
                .route(GET, BUNDLES, Endpoint.BUNDLES)
                .route(GET, Probes.HEALTHZ, Endpoint.HEALTH)
                .route(HEAD, Probes.HEALTHZ, Endpoint.HEALTH)
                .route(GET, Probes.READYZ, Endpoint.READY)
                .route(HEAD, Probes.READYZ, Endpoint.READY)
                .route(GET, Probes.METRICS, Endpoint.METRICS)
                .build();
    }
}
