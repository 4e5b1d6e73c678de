package io.kickoff.prefetch.http;

import io.kickoff.http.RouteTable;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;

/** Finds the call's route in {@link BundleRoutes}: 404 for an unknown path, 405 with {@code Allow} for another method. */
@ChannelHandler.Sharable
final class BundleRouting extends BundleStep {
    private final RouteTable<BundleRoutes.Endpoint> routes;

    BundleRouting(RouteTable<BundleRoutes.Endpoint> routes) {
        this.routes = routes;
    }

    @Override
    protected void step(ChannelHandlerContext ctx, BundleCall call) {
        RouteTable.Lookup<BundleRoutes.Endpoint> lookup = routes.lookup(call.method(), call.path());
        if (lookup instanceof RouteTable.Lookup.Found<BundleRoutes.Endpoint> found) {
            call.route(found);
            ctx.fireChannelRead(call);
        } else if (lookup instanceof RouteTable.Lookup.MethodNotAllowed<BundleRoutes.Endpoint> other) {
            call.answer(BundleAnswers.methodNotAllowed(other.allow()));
        } else {
            call.answer(BundleAnswers.notFound());
        }
    }
}
