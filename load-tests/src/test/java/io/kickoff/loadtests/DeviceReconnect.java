package io.kickoff.loadtests;

import io.gatling.commons.stats.KO$;
import io.gatling.commons.stats.OK$;
import io.gatling.commons.stats.Status;
import io.gatling.core.action.Action;
import io.gatling.core.session.Session;
import io.gatling.core.stats.StatsEngine;
import io.gatling.javaapi.core.ActionBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import scala.Option;

/**
 * A device coming back after its connection dropped or its node sent it away, as docs/protocol.md
 * §6 tells it to: it upgrades again; on {@code 503} it waits exactly the {@code Retry-After} it was
 * given, then tries again (at the next node, when it knows several); once admitted it sends
 * {@code hello} and waits for its {@code welcome}.
 *
 * <p>Gatling's own WebSocket client reports a refused upgrade only as a failure message, without
 * its headers, so a device could not read {@code Retry-After}; this action makes the reconnect with
 * the JDK's WebSocket client instead and logs what happened as Gatling requests:
 * <ul>
 *   <li>{@value #REFUSED}: an upgrade answered 503 (OK if it carried a {@code Retry-After}),</li>
 *   <li>{@value #WAITED}: refusal → next attempt (OK if at least {@code Retry-After}),</li>
 *   <li>{@value #REWELCOMED}: storm → this device's new welcome,</li>
 *   <li>{@value #ALL_REWELCOMED}: storm → the last device's welcome (logged once).</li>
 * </ul>
 * Anything else (another status, a connection failure, no welcome within 10 s) fails the device.
 */
final class DeviceReconnect {
    static final String REFUSED = "storm: upgrade refused (503)";
    static final String WAITED = "storm: waited Retry-After";
    static final String REWELCOMED = "storm: re-welcomed";
    static final String ALL_REWELCOMED = "storm: all re-welcomed";
    static final String FAILED = "storm: reconnect";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private DeviceReconnect() {
    }

    /**
     * The action: reconnects to {@code /v1/connect} of one of {@code gatewayUrls} with the session's
     * {@code token}, starting at a node picked by the device's id and moving to the next node after
     * each refusal ("another node may take you").
     */
    static ActionBuilder action(HttpClient client, List<String> gatewayUrls, StormProgress progress) {
        List<URI> uris = gatewayUrls.stream().map(url -> URI.create(url + "/v1/connect")).toList();
        return () -> (io.gatling.core.action.builder.ActionBuilder) (ctx, next) ->
                new Timings.ChainedAction("reconnect", next) {
                    @Override
                    public void execute(Session session) {
                        new Attempts(client, uris, progress, ctx.coreComponents().statsEngine(), session, next,
                                new int[] {(int) (session.userId() % uris.size())}).attempt();
                    }
                };
    }

    /** One device's attempts; every callback resumes on the session's event loop, as Gatling expects. */
    private record Attempts(HttpClient client, List<URI> uris, StormProgress progress, StatsEngine stats, Session session,
                            Action next, int[] node) {

        void attempt() {
            URI uri = uris.get(node[0]);
            long start = System.currentTimeMillis();
            AtomicBoolean welcomed = new AtomicBoolean();
            WebSocket.Listener listener = new WebSocket.Listener() {
                private final StringBuilder text = new StringBuilder();

                @Override
                public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                    text.append(data);
                    if (last) {
                        String frame = text.toString();
                        text.setLength(0);
                        if (frame.contains("\"welcome\"") && welcomed.compareAndSet(false, true)) {
                            long now = System.currentTimeMillis();
                            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
                            onLoop(() -> {
                                log(REWELCOMED, progress.rewelcomed(now));
                                Timings.Span all = progress.claimTimeToAll();
                                if (all != null) {
                                    log(ALL_REWELCOMED, all);
                                }
                                next.$bang(session);
                            });
                        }
                    }
                    socket.request(1);
                    return null;
                }
            };
            client.newWebSocketBuilder()
                    .header("Authorization", "Bearer " + session.attributes().apply("token"))
                    .subprotocols(BroadcastHerdSimulation.SUB_PROTOCOL)
                    .connectTimeout(TIMEOUT)
                    .buildAsync(uri, listener)
                    .whenComplete((socket, error) -> {
                        if (error == null) {
                            socket.sendText("{\"hello\":{\"clientVersion\":\"kickoff-load-tests/gatling\"}}", true);
                            session.eventLoop().schedule(() -> {
                                if (welcomed.compareAndSet(false, true)) { // claims the device: no welcome came
                                    socket.abort();
                                    fail(start, "no welcome within " + TIMEOUT.toSeconds() + " s of the hello");
                                }
                            }, TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                            return;
                        }
                        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                        if (cause instanceof WebSocketHandshakeException refused && refused.getResponse().statusCode() == 503) {
                            onLoop(() -> refusedWith(start, retryAfterSeconds(refused.getResponse().headers())));
                        } else if (cause instanceof WebSocketHandshakeException refused) {
                            onLoop(() -> fail(start, "upgrade answered HTTP " + refused.getResponse().statusCode()));
                        } else {
                            onLoop(() -> fail(start, cause.toString()));
                        }
                    });
        }

        /** {@code Retry-After} in seconds (the form the gateway sends); empty if absent or not a number of seconds. */
        private static OptionalLong retryAfterSeconds(java.net.http.HttpHeaders headers) {
            try {
                return headers.firstValueAsLong("Retry-After");
            } catch (NumberFormatException e) {
                return OptionalLong.empty();
            }
        }

        /** 503: log it, wait Retry-After (seconds), try again; without Retry-After the device has no rule to follow. */
        private void refusedWith(long start, OptionalLong retryAfterSeconds) {
            long refusedAt = System.currentTimeMillis();
            progress.refused();
            if (retryAfterSeconds.isEmpty() || retryAfterSeconds.getAsLong() < 0) {
                log(REFUSED, Timings.Span.failed(start, refusedAt, "503 without a valid Retry-After"));
                next.$bang(session.markAsFailed());
                return;
            }
            long waitMillis = retryAfterSeconds.getAsLong() * 1000;
            log(REFUSED, Timings.Span.ok(start, refusedAt));
            node[0] = (node[0] + 1) % uris.size();
            session.eventLoop().schedule(() -> {
                long now = System.currentTimeMillis();
                log(WAITED, now - refusedAt >= waitMillis ? Timings.Span.ok(refusedAt, now)
                        : Timings.Span.failed(refusedAt, now, "retried before Retry-After"));
                attempt();
            }, waitMillis, TimeUnit.MILLISECONDS);
        }

        private void fail(long start, String message) {
            log(FAILED, Timings.Span.failed(start, System.currentTimeMillis(), message));
            next.$bang(session.markAsFailed());
        }

        private void log(String name, Timings.Span span) {
            Status status = span.ok() ? OK$.MODULE$ : KO$.MODULE$;
            stats.logResponse(session.scenario(), session.groups(), name, span.startMillis(),
                    Math.max(span.startMillis(), span.endMillis()), status, Option.empty(), Option.apply(span.message()));
        }

        private void onLoop(Runnable step) {
            session.eventLoop().execute(step);
        }
    }
}
