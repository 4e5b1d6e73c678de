package io.kickoff.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.cors.CorsConfig;
import io.netty.handler.codec.http.cors.CorsConfigBuilder;
import io.netty.handler.codec.http.cors.CorsHandler;
import java.util.List;
import java.util.Optional;

/**
 * Which other web origins may call an API from a browser (CORS), the same way for every server of the platform:
 * none unless configured. A configured origin (exact, e.g. {@code https://console.example.com}) may send the
 * platform's request headers ({@code Authorization}, {@code If-Match}, {@code Idempotency-Key}, ...) and read the
 * answers' {@code ETag}, {@code Location} and {@code Retry-After}; preflights are answered at once (200) and cached
 * by the browser for 10 minutes; a request or preflight from any other origin gets 403. A request from the server's
 * own pages is not cross-origin even though browsers send {@code Origin} with it (module scripts, POSTs): an
 * {@code Origin} whose host and port are the request's {@code Host} passes untouched, without CORS headers. No
 * credentials (cookies) are allowed: the APIs take bearer tokens only.
 *
 * <p>Netty's {@link CorsHandler} does the work; this class only fixes the platform's settings. It goes after the
 * codec (and before the aggregator).
 */
public final class CrossOrigin {
    private static final long PREFLIGHT_CACHE_SECONDS = 600;

    private CrossOrigin() {
    }

    /** A CORS handler for {@code origins}, or none when the list is empty (no cross-origin access at all). */
    public static Optional<CorsHandler> handler(List<String> origins) {
        if (origins.isEmpty()) {
            return Optional.empty();
        }
        for (String origin : origins) {
            if (!origin.equals("*") && !origin.matches("https?://[^/\\s]+")) {
                throw new IllegalArgumentException("a CORS origin is scheme://host[:port] with no path, or *: " + origin);
            }
        }
        CorsConfigBuilder builder = origins.contains("*") ? CorsConfigBuilder.forAnyOrigin()
                : CorsConfigBuilder.forOrigins(origins.toArray(String[]::new));
        CorsConfig config = builder
                .allowedRequestMethods(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST, HttpMethod.PATCH,
                        HttpMethod.PUT, HttpMethod.DELETE)
                .allowedRequestHeaders(HttpHeaderNames.AUTHORIZATION, HttpHeaderNames.CONTENT_TYPE,
                        HttpHeaderNames.IF_MATCH, HttpHeaderNames.IF_NONE_MATCH, HttpHeaderNames.ACCEPT,
                        "Idempotency-Key", "Request-Timeout", "X-Priority")
                .exposeHeaders(HttpHeaderNames.ETAG, HttpHeaderNames.LOCATION, HttpHeaderNames.RETRY_AFTER)
                .maxAge(PREFLIGHT_CACHE_SECONDS)
                // Netty's default preflight Date header goes out quoted, which is no HTTP date; a preflight needs none
                .noPreflightResponseHeaders()
                .shortCircuit()
                .build();
        return Optional.of(new OtherOrigins(config));
    }

    /**
     * Netty's CORS handling for requests from other origins only: a same-origin request (its {@code Origin} names the
     * host and port it was sent to) loses its {@code Origin} header first, so it is served as any request without one
     * rather than refused for an origin that is not in the list.
     */
    private static final class OtherOrigins extends CorsHandler {
        OtherOrigins(CorsConfig config) {
            super(config);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (msg instanceof HttpRequest request && sameOrigin(request.headers())) {
                request.headers().remove(HttpHeaderNames.ORIGIN);
            }
            super.channelRead(ctx, msg);
        }

        private static boolean sameOrigin(HttpHeaders headers) {
            String origin = headers.get(HttpHeaderNames.ORIGIN);
            String host = headers.get(HttpHeaderNames.HOST);
            if (origin == null || host == null) {
                return false;
            }
            int authority = origin.indexOf("://");
            return authority > 0 && origin.substring(authority + 3).equalsIgnoreCase(host);
        }
    }
}
