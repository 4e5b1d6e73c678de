package io.kickoff.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * At most {@code max} open connections per server. A connection over the cap is still read up to its first
 * request's headers (so that the client sees the answer rather than a reset), which is answered 503 with a jittered
 * {@code Retry-After}; then the connection is closed. One instance per server, shared by its connections.
 */
@ChannelHandler.Sharable
final class ConnectionCap extends ChannelInboundHandlerAdapter {
    /** Set on a connection over the cap: false until it is answered, true after. */
    private static final AttributeKey<Boolean> OVER_ANSWERED = AttributeKey.valueOf("kickoff.http.over-cap-answered");

    private final int max;
    private final RetryAfter retryAfter;
    private final Refusal refusal;
    private final AtomicInteger open = new AtomicInteger();

    public ConnectionCap(int max, RetryAfter retryAfter, Refusal refusal) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1");
        }
        this.max = max;
        this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
        this.refusal = Objects.requireNonNull(refusal, "refusal");
    }

    /** Connections open now, those over the cap included. */
    public int open() {
        return open.get();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (open.incrementAndGet() > max) {
            ctx.channel().attr(OVER_ANSWERED).set(Boolean.FALSE);
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        open.decrementAndGet();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Boolean answered = ctx.channel().attr(OVER_ANSWERED).get();
        if (answered == null) {
            ctx.fireChannelRead(msg);
            return;
        }
        ReferenceCountUtil.release(msg);
        if (msg instanceof HttpRequest && !answered) {
            ctx.channel().attr(OVER_ANSWERED).set(Boolean.TRUE);
            ctx.channel().config().setAutoRead(false);
            refusal.sendAndClose(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "over-capacity",
                    "the server has " + max + " connections open; retry after Retry-After seconds", retryAfter.value());
        }
    }
}
