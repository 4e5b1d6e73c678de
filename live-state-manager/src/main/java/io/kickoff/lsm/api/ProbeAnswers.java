package io.kickoff.lsm.api;

import io.kickoff.http.Probes;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;

/**
 * Answers the probe routes, without a token: {@code /healthz} ({@code {"status":"up"}}), {@code /readyz} (200 with the
 * checks, or a 503 problem naming those down, at once from their last observed state) and {@code /metrics}
 * (Prometheus text). Other routes go on.
 */
@ChannelHandler.Sharable
final class ProbeAnswers extends ExchangeStep {
    private final Probes probes;
    private final Problems problems;

    ProbeAnswers(Probes probes, Problems problems) {
        this.probes = probes;
        this.problems = problems;
    }

    @Override
    protected void step(ChannelHandlerContext ctx, Exchange exchange) {
        if (!(exchange.route().route().handler() instanceof AdminRoutes.Probe probe)) {
            ctx.fireChannelRead(exchange);
            return;
        }
        exchange.answer(switch (probe) {
            case HEALTH -> Answer.json(200, new Views.Health("up"));
            case READY -> ready();
            case METRICS -> Answer.text(200, Probes.PROMETHEUS_CONTENT_TYPE, probes.metrics());
        });
    }

    private Answer ready() {
        Probes.Readiness readiness = probes.readiness();
        if (readiness.ready()) {
            return Answer.json(200, new Views.Ready("ready", readiness.upOrDown()));
        }
        return problems.notReady(readiness.upOrDown(),
                "not ready: " + String.join(" and ", readiness.down()) + " unreachable");
    }
}
