package io.kickoff.lsm.api;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;

/** The end of the pipeline: does what the exchange's operation said it would, and answers with the outcome. */
@ChannelHandler.Sharable
final class Operations extends ExchangeStep {

    @Override
    protected void step(ChannelHandlerContext ctx, Exchange exchange) {
        exchange.answer(exchange.action().get());
    }
}
