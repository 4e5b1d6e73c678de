package io.kickoff.lsm.api;

import io.kickoff.lsm.event.LiveEvent;
import io.kickoff.lsm.event.UnknownEventException;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;

/**
 * Checks what the request is about: only the query parameters its operation takes (400 naming the first other one),
 * and an event id that can exist (404 {@code unknown-event} without asking the store otherwise).
 */
@ChannelHandler.Sharable
final class Targets extends ExchangeStep {

    @Override
    protected void step(ChannelHandlerContext ctx, Exchange exchange) {
        AdminRoutes.Operation operation = (AdminRoutes.Operation) exchange.route().route().handler();
        Requests.onlyParameters(exchange.query(), operation.parameters());
        String id = exchange.route().parameter("id");
        if (id != null && !LiveEvent.isValidId(id)) {
            throw new UnknownEventException(id);
        }
        ctx.fireChannelRead(exchange);
    }
}
