package io.kickoff.gateway;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Gives a connection a deadline to finish its WebSocket upgrade: a socket that connects and then
 * sends nothing, or sends its request slowly, would otherwise hold a file descriptor for ever.
 * Past the deadline it is answered {@code 408} and closed (metric: closes, reason
 * {@code upgrade_timeout}).
 *
 * <p>The clock runs from the connection's start until the {@code 101 Switching Protocols} is
 * written, when this handler leaves the pipeline (the session's hello deadline takes over). Any
 * other answer that keeps the connection (health, readiness, metrics) restarts it, so an
 * operations connection kept alive and idle is closed after the same time.
 *
 * <p>One per connection; it belongs right after the HTTP codec, where it sees the responses as
 * objects.
 */
final class UpgradeDeadline extends ChannelDuplexHandler {
    private final long timeoutNanos;
    private final GatewayMetrics metrics;
    private ScheduledFuture<?> deadline;

    public UpgradeDeadline(Duration timeout, GatewayMetrics metrics) {
        this.timeoutNanos = timeout.toNanos();
        this.metrics = metrics;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            restart(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        restart(ctx);
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancel();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof HttpResponse response) {
            if (response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
                ctx.write(msg, promise);
                ctx.pipeline().remove(this);
                return;
            }
            restart(ctx);
        }
        ctx.write(msg, promise);
    }

    private void restart(ChannelHandlerContext ctx) {
        cancel();
        deadline = ctx.executor().schedule(() -> expire(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    private void expire(ChannelHandlerContext ctx) {
        deadline = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        metrics.closed("upgrade_timeout");
        FullHttpResponse timeout = PlainHttp.text(HttpResponseStatus.REQUEST_TIMEOUT,
                "no complete upgrade request within " + Duration.ofNanos(timeoutNanos).toMillis() + " ms");
        timeout.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        // Written from here towards the socket (past nothing that could restart the clock), then
        // closed at once: a client that does not read must not keep the socket by not taking the answer.
        ctx.writeAndFlush(timeout);
        ctx.close();
    }
}
