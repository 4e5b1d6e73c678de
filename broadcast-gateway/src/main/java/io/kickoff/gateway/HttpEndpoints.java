package io.kickoff.gateway;

import io.kickoff.http.BearerToken;
import io.kickoff.http.Probes;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the gateway's operational endpoints and refuses unknown paths; requests for the
 * WebSocket path go on down the pipeline.
 *
 * <ul>
 *   <li>{@code GET /healthz}: the process answers (liveness).</li>
 *   <li>{@code GET /readyz}: the node has read the state of the world and the bus can deliver
 *       (load balancers send devices only then).</li>
 *   <li>{@code GET /metrics}: Prometheus text exposition.</li>
 *   <li>{@code POST /ops/drain} with {@code Authorization: Bearer <ops token>}: starts a drain
 *       and answers 202 at once; the drain itself takes the drain window. The endpoint does not
 *       exist (404) unless an ops token is configured, so a node cannot be drained by anyone
 *       who can reach its port.</li>
 * </ul>
 */
@ChannelHandler.Sharable
final class HttpEndpoints extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(HttpEndpoints.class);

    public static final String WEBSOCKET_PATH = "/v1/connect";
    /** Prometheus text format 0.0.4, what {@link GatewayMetrics#scrape()} produces. */
    public static final String PROMETHEUS_CONTENT_TYPE = Probes.PROMETHEUS_CONTENT_TYPE;

    private final BooleanSupplier ready;
    private final GatewayMetrics metrics;
    private final Optional<byte[]> opsToken;
    private final Supplier<CompletableFuture<Void>> drain;

    /**
     * @param ready    whether the node has read the state of the world
     * @param metrics  what {@code /metrics} exposes
     * @param opsToken bearer token of {@code /ops/drain}; empty: no ops endpoints
     * @param drain    starts a drain and returns when it will be done; called on an event loop,
     *                 so it must not block (the future is not waited for)
     */
    public HttpEndpoints(BooleanSupplier ready, GatewayMetrics metrics, Optional<String> opsToken,
                         Supplier<CompletableFuture<Void>> drain) {
        this.ready = Objects.requireNonNull(ready, "ready");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.opsToken = Objects.requireNonNull(opsToken, "opsToken")
                .filter(t -> !t.isBlank())
                .map(t -> t.getBytes(StandardCharsets.UTF_8));
        this.drain = Objects.requireNonNull(drain, "drain");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        if (path.equals(WEBSOCKET_PATH)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            FullHttpResponse answer = answer(path, request);
            // A 404 is a refusal (docs/protocol.md §2): closed like the others; the endpoints' answers keep the connection.
            PlainHttp.send(ctx, request, answer, answer.status().code() != HttpResponseStatus.NOT_FOUND.code());
        } finally {
            ReferenceCountUtil.release(request);
        }
    }

    private FullHttpResponse answer(String path, FullHttpRequest request) {
        return switch (path) {
            case Probes.HEALTHZ -> onlyGet(request, () -> PlainHttp.text(HttpResponseStatus.OK, "ok"));
            case Probes.READYZ -> onlyGet(request, () -> ready.getAsBoolean()
                    ? PlainHttp.text(HttpResponseStatus.OK, "ready")
                    : PlainHttp.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "not ready: starting (reading the state of the world), draining, or the bus is unavailable"));
            case Probes.METRICS -> onlyGet(request, () -> PlainHttp.response(HttpResponseStatus.OK, PROMETHEUS_CONTENT_TYPE, metrics.scrape()));
            case "/ops/drain" -> drain(request);
            default -> notFound();
        };
    }

    private FullHttpResponse drain(FullHttpRequest request) {
        if (opsToken.isEmpty()) {
            return notFound();
        }
        if (!HttpMethod.POST.equals(request.method())) {
            return methodNotAllowed(HttpMethod.POST);
        }
        if (!authorized(request)) {
            FullHttpResponse unauthorized = PlainHttp.text(HttpResponseStatus.UNAUTHORIZED, "ops token required");
            unauthorized.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"kickoff-ops\"");
            return unauthorized;
        }
        CompletableFuture<Void> done;
        try {
            done = drain.get();
        } catch (RuntimeException e) {
            log.warn("drain could not start", e);
            return PlainHttp.text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "drain could not start: " + e.getMessage());
        }
        log.info("drain started through /ops/drain");
        if (done != null) {
            done.whenComplete((ignored, failure) -> {
                if (failure != null) {
                    log.warn("drain failed", failure);
                } else {
                    log.info("drain finished");
                }
            });
        }
        return PlainHttp.text(HttpResponseStatus.ACCEPTED, "draining: devices are being moved to other nodes");
    }

    /** Constant-time comparison, so the token cannot be guessed byte by byte from response times. */
    private boolean authorized(FullHttpRequest request) {
        Optional<String> presented = BearerToken.from(request.headers().get(HttpHeaderNames.AUTHORIZATION)).presented();
        return presented.isPresent()
                && MessageDigest.isEqual(presented.get().getBytes(StandardCharsets.UTF_8), opsToken.get());
    }

    private static FullHttpResponse onlyGet(FullHttpRequest request, Supplier<FullHttpResponse> answer) {
        return HttpMethod.GET.equals(request.method()) ? answer.get() : methodNotAllowed(HttpMethod.GET);
    }

    private static FullHttpResponse methodNotAllowed(HttpMethod allowed) {
        FullHttpResponse response = PlainHttp.text(HttpResponseStatus.METHOD_NOT_ALLOWED, "use " + allowed);
        response.headers().set(HttpHeaderNames.ALLOW, allowed.name());
        return response;
    }

    private static FullHttpResponse notFound() {
        return PlainHttp.text(HttpResponseStatus.NOT_FOUND, "no such endpoint; devices connect to " + WEBSOCKET_PATH);
    }
}
