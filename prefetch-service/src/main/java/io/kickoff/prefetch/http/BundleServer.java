package io.kickoff.prefetch.http;

import io.kickoff.http.ListeningSocket;
import io.kickoff.http.HttpEdge;
import io.kickoff.http.Probes;
import io.kickoff.http.Refusal;
import io.kickoff.http.RetryAfter;
import io.kickoff.http.ServerTls;
import io.kickoff.http.StaticAssets;
import io.kickoff.prefetch.bundle.BundleStore;
import io.kickoff.protocol.token.DeviceTokens;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bundle HTTP API (Netty), on the machine's best transport (epoll where it loads): the pipeline of
 * {@link BundleInitializer}, its routes in {@link BundleRoutes}.
 *
 * <p>{@code GET /v1/bundles}: the bundles of every upcoming and live event of the caller's segment
 * (what the store lists for it). The segment comes from the bearer token ({@code Authorization:
 * Bearer}); tools may pass {@code ?segment=} instead, if the config allows it (a token, when present,
 * wins).
 * <ul>
 *   <li>{@code Accept: application/x-protobuf} (also the default, for no header or {@code *}/{@code *}):
 *       the body is a <b>length-delimited stream of {@code Bundle} messages</b> — each a varint byte
 *       length followed by the message, as protobuf's {@code writeDelimitedTo}/{@code parseDelimitedFrom}
 *       (the contract has no list message); the empty body is the empty list.</li>
 *   <li>{@code Accept: application/json}: a JSON array of bundles in protobuf canonical JSON,
 *       gzip-compressed if the client accepts it.</li>
 *   <li>Anything else: 406.</li>
 * </ul>
 * {@code ETag} is a weak tag hashing the format and every (event, version) served;
 * {@code If-None-Match} with it gives 304. {@code Cache-Control: max-age} is jittered per response.
 *
 * <p>Load shedding: {@code X-Priority: prefetch} (the default) or {@code critical}. Past the
 * concurrency limit, prefetch requests get 503 with a jittered {@code Retry-After}; critical ones
 * may still use a separate reserve. Shedding is decided before the token is verified, so a shed
 * request costs little.
 *
 * <p>Also {@code /healthz} (process up), {@code /readyz} (the readiness supplier) and
 * {@code /metrics} (Prometheus text), for GET (and HEAD for the first two). 401 for a missing or bad token, 400 for a
 * bad {@code segment}, 404 and 405 (with {@code Allow}) as usual.
 *
 * <p>The port needs no token for health checks, so it sits behind the platform's {@link HttpEdge}: read
 * timeouts (408 for a partly received request, idle connections closed), a connection cap (503 with a
 * jittered {@code Retry-After}) and the request guard (400 for a missing or repeated {@code Host}, a
 * repeated {@code Content-Type} or malformed percent-encoding; 414 and 431 for oversized requests).
 * Every 503 carries a {@code Retry-After} drawn from {@code retryAfterMin}–{@code retryAfterMax}.
 *
 * <p>Web pages: the device SDK ({@code clients/js}) under {@code /sdk/} and the demo home screen under
 * {@code /home/} (static files from the jar; {@code /home/config.json} only when the config offers one). Pages of
 * other origins may call the API only if {@code corsOrigins} names them.
 */
public final class BundleServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BundleServer.class);
    public static final String BUNDLES_PATH = BundleRoutes.BUNDLES;
    private static final String METRIC = "kickoff.prefetch.http";

    private final BundleServerConfig config;
    private final PriorityLimiter limiter;
    private final HttpEdge edge;
    private final BundleInitializer initializer;
    private final Optional<ServerTls> tls;

    private ListeningSocket socket;

    /**
     * @param knownSegment which segment ids exist (e.g. {@code id -> catalog.get().segment(id).isPresent()});
     *                     an unknown {@code ?segment=} is a 400
     * @param ready        whether the service may take traffic (catalog loaded, stages caught up)
     */
    public BundleServer(BundleServerConfig config, BundleStore store, DeviceTokens tokens,
                        Predicate<String> knownSegment, BooleanSupplier ready, PrometheusMeterRegistry registry,
                        Jitter jitter) {
        this.config = config;
        this.limiter = new PriorityLimiter(config.concurrencyLimit(), config.criticalReserve());
        RetryAfter retryAfter = new RetryAfter(config.retryAfterMin(), config.retryAfterMax(), jitter::uniform);
        this.tls = config.tls().map(ServerTls::start);
        this.edge = new HttpEdge(config.edge(), Refusal.plainText(), retryAfter, tls);
        BundleAnswers answers = new BundleAnswers(retryAfter);
        this.initializer = new BundleInitializer(edge, config.corsOrigins(), sdkFiles(), homeScreen(config),
                new BundleExchanges(registry, METRIC),
                new BundleRouting(BundleRoutes.table()),
                new BundleProbes(new Probes(Map.of("service", ready), registry::scrape), answers),
                new FormatNegotiation(),
                new LoadShedding(limiter, answers, registry, METRIC),
                new DeviceAuthentication(tokens, config.allowSegmentQuery(), knownSegment),
                new BundleListing(store, config, jitter, answers, registry, METRIC));
        Gauge.builder(METRIC + ".in.flight", limiter, PriorityLimiter::inFlight)
                .description("bundle requests in flight (what the concurrency limit caps)").register(registry);
        Gauge.builder(METRIC + ".concurrency.limit", config, BundleServerConfig::concurrencyLimit)
                .description("bundle requests in flight any priority may use before prefetch requests are shed").register(registry);
    }

    /** Where the device SDK (clients/js in the source tree) is packaged in the jar. */
    static final String SDK_RESOURCES = "io/kickoff/prefetch/sdk/";
    static final String HOME_RESOURCES = "io/kickoff/prefetch/home/";

    /** The device SDK under {@code /sdk/}: a page of this origin imports it and fetches bundles same-origin. */
    private static StaticAssets sdkFiles() {
        return StaticAssets.builder("/sdk/").classpath(SDK_RESOURCES).build();
    }

    /** The demo home screen under {@code /home/}; its {@code config.json} only when the caller offers one. */
    private static StaticAssets homeScreen(BundleServerConfig config) {
        StaticAssets.Builder home = StaticAssets.builder("/home/").classpath(HOME_RESOURCES);
        config.homeConfig().ifPresent(document -> home.document("config.json", "application/json", document));
        return home.build();
    }

    /** Binds and returns the bound port. */
    public synchronized int start() throws InterruptedException {
        if (socket != null) {
            throw new IllegalStateException("already started");
        }
        try {
            // A deep accept backlog: a herd of devices fetching critical bundles connects at once.
            socket = ListeningSocket.bind(config.host(), config.port(), config.ioThreads(), "bundle-api", 4096, initializer);
        } catch (Throwable e) { // a BindException too, thrown undeclared
            tls.ifPresent(ServerTls::close);
            throw e;
        }
        log.info("bundle API listening on {}:{} ({}{})", config.host(), socket.port(), socket.transportName(),
                tls.isPresent() ? ", https" : "");
        return socket.port();
    }

    /** Connections open now (the cap counts these). */
    public int openConnections() {
        return edge.openConnections();
    }

    /** The permits of the load shedder (tests hold them to drive it). */
    PriorityLimiter limiter() {
        return limiter;
    }

    @Override
    public synchronized void close() {
        if (socket != null) {
            socket.close();
            socket = null;
        }
        tls.ifPresent(ServerTls::close);
    }
}
