package io.kickoff.loadtests;

import io.gatling.commons.stats.OK$;
import io.gatling.commons.stats.KO$;
import io.gatling.commons.stats.Status;
import io.gatling.core.action.Action;
import io.gatling.core.stats.StatsEngine;
import io.gatling.javaapi.core.ActionBuilder;
import io.gatling.javaapi.core.Session;
import java.util.function.Function;
import scala.Option;

/**
 * Puts a timing measured by the simulation itself into Gatling's statistics as a request of its
 * own, so it appears in the console summary, the HTML report and assertions
 * ({@code details(name)}). Gatling times only what it sends and receives; the figures that matter
 * here (a broadcast's {@code issued_at} → receipt, admin call → last device, storm → re-welcomed)
 * start at instants Gatling does not see.
 *
 * <p>The Java DSL has no public way to log a response, so this is a minimal action built on
 * Gatling's Scala action API: it logs one response, then hands the session to the next action.
 */
final class Timings {
    private Timings() {
    }

    /** One measured span, in epoch milliseconds; {@code ok == false} logs it as failed with {@code message}. */
    record Span(long startMillis, long endMillis, boolean ok, String message) {
        static Span ok(long startMillis, long endMillis) {
            return new Span(startMillis, endMillis, true, null);
        }

        static Span failed(long startMillis, long endMillis, String message) {
            return new Span(startMillis, endMillis, false, message);
        }
    }

    /**
     * Logs the span {@code measure} returns under {@code name}; nothing is logged when it returns
     * {@code null} (e.g. "time to 100 %", which only the last device logs).
     */
    static ActionBuilder record(String name, Function<Session, Span> measure) {
        return () -> (io.gatling.core.action.builder.ActionBuilder) (ctx, next) -> {
            StatsEngine stats = ctx.coreComponents().statsEngine();
            return new ChainedAction(name, next) {
                @Override
                public void execute(io.gatling.core.session.Session session) {
                    Span span = measure.apply(new Session(session));
                    if (span != null) {
                        Status status = span.ok() ? OK$.MODULE$ : KO$.MODULE$;
                        stats.logResponse(session.scenario(), session.groups(), name, span.startMillis(),
                                Math.max(span.startMillis(), span.endMillis()), status, Option.empty(),
                                Option.apply(span.message()));
                    }
                    next().$bang(session);
                }
            };
        };
    }

    /** An action that runs once and passes the session on; what Gatling's Scala traits need, given from Java. */
    abstract static class ChainedAction implements Action {
        private static final com.typesafe.scalalogging.Logger LOGGER =
                com.typesafe.scalalogging.Logger.apply(org.slf4j.LoggerFactory.getLogger(Timings.class));
        private final String name;
        private final Action next;

        ChainedAction(String name, Action next) {
            this.name = name;
            this.next = next;
        }

        Action next() {
            return next;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public com.typesafe.scalalogging.Logger logger() {
            return LOGGER;
        }

        @Override
        public void com$typesafe$scalalogging$StrictLogging$_setter_$logger_$eq(com.typesafe.scalalogging.Logger logger) {
            // the logger is final here
        }
    }
}
