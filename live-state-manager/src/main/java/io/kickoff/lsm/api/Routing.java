package io.kickoff.lsm.api;

import io.kickoff.http.RouteTable;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;

/** Finds the exchange's route in {@link AdminRoutes}: 404 for an unknown path, 405 with {@code Allow} for another method. */
@ChannelHandler.Sharable
final class Routing extends ExchangeStep {
    private final RouteTable<AdminRoutes.Endpoint> routes;

    Routing(RouteTable<AdminRoutes.Endpoint> routes) {
        this.routes = routes;
    }

    @Override
    protected void step(ChannelHandlerContext ctx, Exchange exchange) {
        RouteTable.Lookup<AdminRoutes.Endpoint> lookup = routes.lookup(exchange.method(), exchange.path());
        if (lookup instanceof RouteTable.Lookup.Found<AdminRoutes.Endpoint> found) {
            exchange.route(found);
            ctx.fireChannelRead(exchange);
        } else if (lookup instanceof RouteTable.Lookup.MethodNotAllowed<AdminRoutes.Endpoint> other) {
            throw Problems.methodNotAllowed(exchange.method().name(), other.template(), other.allow());
        } else {
            throw Problems.noRoute(exchange.path());
        }
    }
}
