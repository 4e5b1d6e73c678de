package io.kickoff.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.Objects;

/**
 * One step of a server's request pipeline, Netty style: it sees each message of its type once, does its one job, then
 * passes the message on ({@code ctx.fireChannelRead}) or answers it. What it throws is handed to {@link #failed}, which
 * answers in the server's words; other messages pass untouched.
 *
 * @param <T> the request as this server's pipeline carries it
 */
public abstract class Step<T> extends ChannelInboundHandlerAdapter {
    private final Class<T> type;

    protected Step(Class<T> type) {
        this.type = Objects.requireNonNull(type, "type");
    }

    @Override
    public final void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!type.isInstance(msg)) {
            ctx.fireChannelRead(msg);
            return;
        }
        T request = type.cast(msg);
        try {
            step(ctx, request);
        } catch (RuntimeException e) {
            failed(request, e);
        }
    }

    /** Does this step's job: passes {@code request} on with {@code ctx.fireChannelRead(request)}, or answers it. */
    protected abstract void step(ChannelHandlerContext ctx, T request);

    /** Answers {@code request}, which this step failed on with {@code error}. */
    protected abstract void failed(T request, RuntimeException error);
}
