package io.kickoff.prefetch.http;

import io.kickoff.http.EdgeLimits;
import io.kickoff.http.TlsFiles;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of the {@link BundleServer}.
 *
 * @param host              address to bind
 * @param port              port to bind; 0 picks a free one
 * @param maxAge            base {@code Cache-Control: max-age} of bundle responses
 * @param maxAgeJitter      fraction in [0, 1): each response's max-age is uniform in {@code maxAge·(1 ± maxAgeJitter)}
 * @param concurrencyLimit  requests in flight that any priority may use
 * @param criticalReserve   extra in-flight requests only {@code X-Priority: critical} may use
 * @param retryAfterMin     lower bound of the jittered {@code Retry-After} of every 503 (shed, over the
 *                          connection cap, store unavailable, not ready)
 * @param retryAfterMax     upper bound of it
 * @param allowSegmentQuery whether {@code ?segment=} may stand in for a device token (tools)
 * @param ioThreads         Netty event-loop threads
 * @param edge              read timeouts, connection cap and request size limits of the port (its Retry-After
 *                          range is {@code retryAfterMin}–{@code retryAfterMax})
 * @param corsOrigins       web origins whose pages may call the API from a browser ({@code scheme://host[:port]}
 *                          or {@code *}); none by default ({@link io.kickoff.http.CrossOrigin})
 * @param homeConfig        the home screen's {@code /home/config.json} (gateway, bundle API, a device token), made
 *                          on each request; empty: not offered (404), the page says so
 * @param tls               certificate and key of {@code https://}, reloaded when the files change; empty: plain
 *                          {@code http://}
 */
public record BundleServerConfig(String host, int port, Duration maxAge, double maxAgeJitter, int concurrencyLimit,
                                 int criticalReserve, Duration retryAfterMin, Duration retryAfterMax,
                                 boolean allowSegmentQuery, int ioThreads, EdgeLimits edge,
                                 List<String> corsOrigins, Optional<Supplier<String>> homeConfig,
                                 Optional<TlsFiles> tls) {
    /** Default cap on open connections: a herd of devices fetching with keep-alive. */
    public static final int DEFAULT_MAX_CONNECTIONS = 20_000;

    public BundleServerConfig(String host, int port, Duration maxAge, double maxAgeJitter, int concurrencyLimit,
                              int criticalReserve, Duration retryAfterMin, Duration retryAfterMax,
                              boolean allowSegmentQuery, int ioThreads, EdgeLimits edge) {
        this(host, port, maxAge, maxAgeJitter, concurrencyLimit, criticalReserve, retryAfterMin, retryAfterMax,
                allowSegmentQuery, ioThreads, edge, List.of(), Optional.empty(), Optional.empty());
    }

    public BundleServerConfig {
        Objects.requireNonNull(edge, "edge");
        corsOrigins = List.copyOf(corsOrigins);
        Objects.requireNonNull(homeConfig, "homeConfig");
        Objects.requireNonNull(tls, "tls");
        if (maxAgeJitter < 0 || maxAgeJitter >= 1) {
            throw new IllegalArgumentException("maxAgeJitter must be in [0, 1)");
        }
        if (retryAfterMax.compareTo(retryAfterMin) < 0) {
            throw new IllegalArgumentException("retryAfterMax < retryAfterMin");
        }
        if (concurrencyLimit < 1 || criticalReserve < 0 || ioThreads < 1) {
            throw new IllegalArgumentException("concurrencyLimit and ioThreads must be at least 1, criticalReserve not negative");
        }
        if (maxAge.isNegative()) {
            throw new IllegalArgumentException("maxAge must not be negative");
        }
    }

    public static BundleServerConfig defaults() {
        return new BundleServerConfig("0.0.0.0", 8082, Duration.ofMinutes(5), 0.2, 512, 64,
                Duration.ofSeconds(5), Duration.ofSeconds(30), true, 2, EdgeLimits.defaults(DEFAULT_MAX_CONNECTIONS),
                List.of(), Optional.empty(), Optional.empty());
    }

    public BundleServerConfig withPort(int port) {
        return new BundleServerConfig(host, port, maxAge, maxAgeJitter, concurrencyLimit, criticalReserve,
                retryAfterMin, retryAfterMax, allowSegmentQuery, ioThreads, edge, corsOrigins, homeConfig, tls);
    }

    public BundleServerConfig withHost(String host) {
        return new BundleServerConfig(host, port, maxAge, maxAgeJitter, concurrencyLimit, criticalReserve,
                retryAfterMin, retryAfterMax, allowSegmentQuery, ioThreads, edge, corsOrigins, homeConfig, tls);
    }

    public BundleServerConfig withMaxAge(Duration maxAge, double maxAgeJitter) {
        return new BundleServerConfig(host, port, maxAge, maxAgeJitter, concurrencyLimit, criticalReserve,
                retryAfterMin, retryAfterMax, allowSegmentQuery, ioThreads, edge, corsOrigins, homeConfig, tls);
    }

    public BundleServerConfig withIoThreads(int ioThreads) {
        return new BundleServerConfig(host, port, maxAge, maxAgeJitter, concurrencyLimit, criticalReserve,
                retryAfterMin, retryAfterMax, allowSegmentQuery, ioThreads, edge, corsOrigins, homeConfig, tls);
    }

    public BundleServerConfig withLimits(int concurrencyLimit, int criticalReserve) {
        return new BundleServerConfig(host, port, maxAge, maxAgeJitter, concurrencyLimit, criticalReserve,
                retryAfterMin, retryAfterMax, allowSegmentQuery, ioThreads, edge, corsOrigins, homeConfig, tls);
    }

    /** The API on {@code https://} with these files. */
    public BundleServerConfig withTls(TlsFiles files) {
        return new BundleServerConfig(host, port, maxAge, maxAgeJitter, concurrencyLimit, criticalReserve,
                retryAfterMin, retryAfterMax, allowSegmentQuery, ioThreads, edge, corsOrigins, homeConfig,
                Optional.of(files));
    }

    public BundleServerConfig withEdge(EdgeLimits edge) {
        return new BundleServerConfig(host, port, maxAge, maxAgeJitter, concurrencyLimit, criticalReserve,
                retryAfterMin, retryAfterMax, allowSegmentQuery, ioThreads, edge, corsOrigins, homeConfig, tls);
    }

    /** Pages of these origins may call the API from a browser (CORS); an origin is checked when the server starts. */
    public BundleServerConfig withCorsOrigins(List<String> corsOrigins) {
        return new BundleServerConfig(host, port, maxAge, maxAgeJitter, concurrencyLimit, criticalReserve,
                retryAfterMin, retryAfterMax, allowSegmentQuery, ioThreads, edge, corsOrigins, homeConfig, tls);
    }

    /** Offers the home screen its {@code config.json}, made by {@code document} on each request. */
    public BundleServerConfig withHomeConfig(Supplier<String> document) {
        return new BundleServerConfig(host, port, maxAge, maxAgeJitter, concurrencyLimit, criticalReserve,
                retryAfterMin, retryAfterMax, allowSegmentQuery, ioThreads, edge, corsOrigins,
                Optional.of(Objects.requireNonNull(document, "document")), tls);
    }
}
