package io.kickoff.lsm.api;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Gives each exchange its deadline: the API's timeout after it was read, or what its {@code Request-Timeout} header
 * asks for (seconds, e.g. {@code 2.5}; from 0.001 to {@link #MAX_REQUEST_TIMEOUT}, else 400). An exchange not
 * answered by then is answered 503 with {@code Retry-After}; a write still waiting for its turn is not applied.
 */
@ChannelHandler.Sharable
final class Deadlines extends ExchangeStep {
    /** Header with which a client sets the deadline of its request, in seconds (e.g. {@code 2.5}). */
    static final String REQUEST_TIMEOUT = "Request-Timeout";
    static final Duration MAX_REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final Clock clock;
    private final Duration timeout;

    Deadlines(Clock clock, Duration timeout) {
        this.clock = clock;
        this.timeout = timeout;
    }

    @Override
    protected void step(ChannelHandlerContext ctx, Exchange exchange) {
        Duration wait = requestTimeout(exchange.header(REQUEST_TIMEOUT));
        exchange.deadline(clock.instant().plus(wait));
        exchange.answer().orTimeout(wait.toMillis(), TimeUnit.MILLISECONDS);
        ctx.fireChannelRead(exchange);
    }

    private Duration requestTimeout(String header) {
        if (header == null) {
            return timeout;
        }
        Duration asked;
        try {
            asked = Duration.ofNanos(new BigDecimal(header.strip()).movePointRight(9).longValue());
        } catch (NumberFormatException | ArithmeticException e) {
            asked = null;
        }
        if (asked == null || asked.toMillis() < 1 || asked.compareTo(MAX_REQUEST_TIMEOUT) > 0) {
            throw ApiError.invalid(REQUEST_TIMEOUT, REQUEST_TIMEOUT + " must be a number of seconds from 0.001 to "
                    + MAX_REQUEST_TIMEOUT.toSeconds() + ", e.g. 2.5; got '" + header + "'");
        }
        return asked;
    }
}
