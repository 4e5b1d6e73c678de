package io.kickoff.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The read deadlines of one connection, in two handlers around the HTTP codec: {@link #bytesSide()} before it sees
 * the first byte of a request, {@link #messagesSide()} after it sees the request's headers and its end, and the
 * answers going out.
 * <ul>
 *   <li>headers: from the first byte until the headers are decoded, {@link EdgeLimits#headerTimeout()};</li>
 *   <li>body: from the headers until the last byte of the body, {@link EdgeLimits#bodyTimeout()};</li>
 *   <li>idle: with no request under way and no answer owed, {@link EdgeLimits#idleTimeout()}.</li>
 * </ul>
 * A request that was partly received when its deadline passed is answered 408; an idle connection is closed
 * without an answer. While an answer is owed, no read deadline runs (the server has its own timeouts). All state
 * lives on the channel's event loop.
 */
final class ReadTimeouts {
    private enum Phase { WAITING, HEADERS, BODY }

    private final EdgeLimits limits;
    private final Refusal refusal;
    private Phase phase = Phase.WAITING;
    private int answersOwed;
    private ScheduledFuture<?> timer;
    private ChannelHandlerContext messages;

    public ReadTimeouts(EdgeLimits limits, Refusal refusal) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.refusal = Objects.requireNonNull(refusal, "refusal");
    }

    /** Goes before the HTTP codec. */
    public ChannelHandler bytesSide() {
        return new BytesSide();
    }

    /** Goes right after the HTTP codec. */
    public ChannelHandler messagesSide() {
        return new MessagesSide();
    }

    private final class BytesSide extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            rearm(ctx);
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (phase == Phase.WAITING && msg instanceof ByteBuf bytes && bytes.isReadable()) {
                phase = Phase.HEADERS;
                rearm(ctx);
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            cancel();
            ctx.fireChannelInactive();
        }
    }

    private final class MessagesSide extends ChannelDuplexHandler {
        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            messages = ctx;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest) {
                phase = Phase.BODY;
            }
            if (msg instanceof LastHttpContent) {
                phase = Phase.WAITING;
                answersOwed++;
            }
            if (msg instanceof HttpRequest || msg instanceof LastHttpContent) {
                rearm(ctx);
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            boolean ends = msg instanceof LastHttpContent
                    && !(msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL);
            if (ends) {
                promise = promise.unvoid();
                promise.addListener(f -> {
                    if (answersOwed > 0) {
                        answersOwed--;
                    }
                    rearm(ctx);
                });
            }
            ctx.write(msg, promise);
        }
    }

    /** Starts the deadline of the current phase (or none, while an answer is owed). */
    private void rearm(ChannelHandlerContext ctx) {
        cancel();
        if (!ctx.channel().isActive()) {
            return;
        }
        Duration wait = switch (phase) {
            case HEADERS -> limits.headerTimeout();
            case BODY -> limits.bodyTimeout();
            case WAITING -> answersOwed == 0 ? limits.idleTimeout() : null;
        };
        if (wait != null) {
            Phase expired = phase;
            timer = ctx.executor().schedule(() -> expire(ctx, expired), wait.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void expire(ChannelHandlerContext ctx, Phase expired) {
        timer = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        if (expired == Phase.WAITING || answersOwed > 0 || messages == null) {
            // nothing was asked (or an earlier answer must go first): just close
            ctx.channel().close();
            return;
        }
        String detail = expired == Phase.HEADERS
                ? "the request headers did not arrive within " + limits.headerTimeout().toMillis() + " ms"
                : "the request body did not arrive within " + limits.bodyTimeout().toMillis() + " ms";
        // what is still to come of this request is not wanted; a client that does not read the 408 is closed anyway
        ctx.channel().config().setAutoRead(false);
        refusal.sendAndClose(messages, HttpResponseStatus.REQUEST_TIMEOUT, "request-timeout", detail, null);
        timer = ctx.executor().schedule(() -> ctx.channel().close(), limits.headerTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }
}
