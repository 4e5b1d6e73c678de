package io.kickoff.prefetch.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;

/** Picks the wire format from {@code Accept} (protobuf by default, or JSON); 406 for anything else. */
@ChannelHandler.Sharable
final class FormatNegotiation extends BundleStep {

    @Override
    protected void step(ChannelHandlerContext ctx, BundleCall call) {
        var format = ContentNegotiation.negotiate(call.header(HttpHeaderNames.ACCEPT));
        if (format.isEmpty()) {
            call.answer(BundleAnswers.notAcceptable());
            return;
        }
        call.format(format.get());
        ctx.fireChannelRead(call);
    }
}
