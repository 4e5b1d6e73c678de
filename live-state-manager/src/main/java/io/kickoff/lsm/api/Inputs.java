package io.kickoff.lsm.api;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;

/** Has the route's operation read and check its input (400 naming the field at fault) and say what it will do. */
@ChannelHandler.Sharable
final class Inputs extends ExchangeStep {

    @Override
    protected void step(ChannelHandlerContext ctx, Exchange exchange) {
        AdminRoutes.Operation operation = (AdminRoutes.Operation) exchange.route().route().handler();
        exchange.action(operation.input().apply(exchange));
        ctx.fireChannelRead(exchange);
    }
}
