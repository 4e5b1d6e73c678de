package io.kickoff.prefetch.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import java.util.EnumMap;
import java.util.Map;

/**
 * Admits a call within the concurrency limit ({@code X-Priority: prefetch} by default, or {@code critical}, which may
 * use a reserve); past it, 503 with a jittered {@code Retry-After}. Decided before the token is verified, so a shed
 * request costs little. The permit is held until the call is answered, whichever step answers it.
 */
@ChannelHandler.Sharable
final class LoadShedding extends BundleStep {
    private final PriorityLimiter limiter;
    private final BundleAnswers answers;
    private final Map<Priority, Counter> sheds = new EnumMap<>(Priority.class);

    LoadShedding(PriorityLimiter limiter, BundleAnswers answers, MeterRegistry registry, String metric) {
        this.limiter = limiter;
        this.answers = answers;
        for (Priority p : Priority.values()) {
            sheds.put(p, Counter.builder(metric + ".shed").description("requests refused 503 because too many were in flight, by priority")
                    .tag("priority", p.label()).register(registry));
        }
    }

    @Override
    protected void step(ChannelHandlerContext ctx, BundleCall call) {
        Priority priority = Priority.parse(call.header(Priority.HEADER));
        PriorityLimiter.Permit permit = limiter.tryAcquire(priority);
        if (permit == null) {
            sheds.get(priority).increment();
            call.answer(answers.unavailable("overloaded, retry later"));
            return;
        }
        call.answer().whenComplete((response, error) -> permit.release());
        ctx.fireChannelRead(call);
    }
}
