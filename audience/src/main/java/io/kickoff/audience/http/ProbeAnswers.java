package io.kickoff.audience.http;

import io.kickoff.http.Probes;
import io.kickoff.http.RetryAfter;
import io.kickoff.http.RouteTable;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Answers the operational routes of an audience instance, in plain text: {@code GET|HEAD /healthz} ({@code ok}),
 * {@code /readyz} ({@code ready}, or 503 naming the checks that are down, with a jittered {@code Retry-After}) and
 * {@code GET /metrics} (Prometheus text); 404 for any other path, 405 with {@code Allow} for another method.
 */
@ChannelHandler.Sharable
final class ProbeAnswers extends SimpleChannelInboundHandler<FullHttpRequest> {
    enum Probe { HEALTH, READY, METRICS }

    static final RouteTable<Probe> ROUTES = RouteTable.<Probe>builder()
            .route(HttpMethod.GET, Probes.HEALTHZ, Probe.HEALTH)
            .route(HttpMethod.HEAD, Probes.HEALTHZ, Probe.HEALTH)
            .route(HttpMethod.GET, Probes.READYZ, Probe.READY)
            .route(HttpMethod.HEAD, Probes.READYZ, Probe.READY)
            .route(HttpMethod.GET, Probes.METRICS, Probe.METRICS)
            .build();

    private final Probes probes;
    private final RetryAfter retryAfter;

    ProbeAnswers(Probes probes, RetryAfter retryAfter) {
        this.probes = probes;
        this.retryAfter = retryAfter;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String path = new QueryStringDecoder(request.uri()).rawPath();
        RouteTable.Lookup<Probe> lookup = ROUTES.lookup(request.method(), path);
        FullHttpResponse response;
        if (lookup instanceof RouteTable.Lookup.Found<Probe> found) {
            response = answer(found.route().handler());
        } else if (lookup instanceof RouteTable.Lookup.MethodNotAllowed<Probe> other) {
            response = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed");
            response.headers().set(HttpHeaderNames.ALLOW, other.allow());
        } else {
            response = text(HttpResponseStatus.NOT_FOUND, "no such resource");
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        if (request.method().equals(HttpMethod.HEAD)) {
            response.content().clear();
        }
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.writeAndFlush(response);
        }
    }

    private FullHttpResponse answer(Probe probe) {
        return switch (probe) {
            case HEALTH -> text(HttpResponseStatus.OK, "ok");
            case READY -> {
                Probes.Readiness readiness = probes.readiness();
                yield readiness.ready() ? text(HttpResponseStatus.OK, "ready")
                        : retryAfter.on(text(HttpResponseStatus.SERVICE_UNAVAILABLE,
                                "not ready: " + String.join(", ", readiness.down())));
            }
            case METRICS -> {
                FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                        Unpooled.copiedBuffer(probes.metrics(), StandardCharsets.UTF_8));
                r.headers().set(HttpHeaderNames.CONTENT_TYPE, Probes.PROMETHEUS_CONTENT_TYPE);
                yield r;
            }
        };
    }

    static FullHttpResponse text(HttpResponseStatus status, String line) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(line + "\n", StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        return r;
    }
}
