package io.kickoff.prefetch.http;

import io.kickoff.http.Probes;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;

/**
 * Answers the probe routes: {@code /healthz} ({@code ok}), {@code /readyz} ({@code ready}, or 503 with a jittered
 * {@code Retry-After}) and {@code /metrics} (Prometheus text). The bundles route goes on.
 */
@ChannelHandler.Sharable
final class BundleProbes extends BundleStep {
    private final Probes probes;
    private final BundleAnswers answers;

    BundleProbes(Probes probes, BundleAnswers answers) {
        this.probes = probes;
        this.answers = answers;
    }

    @Override
    protected void step(ChannelHandlerContext ctx, BundleCall call) {
        switch (call.route().route().handler()) {
            case HEALTH -> call.answer(BundleAnswers.text(HttpResponseStatus.OK, "ok"));
            case READY -> call.answer(probes.readiness().ready()
                    ? BundleAnswers.text(HttpResponseStatus.OK, "ready")
                    : answers.unavailable("not ready"));
            case METRICS -> call.answer(BundleAnswers.response(HttpResponseStatus.OK,
                    probes.metrics().getBytes(StandardCharsets.UTF_8), Probes.PROMETHEUS_CONTENT_TYPE));
            default -> ctx.fireChannelRead(call);
        }
    }
}
