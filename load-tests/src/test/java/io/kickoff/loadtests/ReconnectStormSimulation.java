package io.kickoff.loadtests;

import static io.gatling.javaapi.core.CoreDsl.asLongAs;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.exitHereIfFailed;
import static io.gatling.javaapi.core.CoreDsl.feed;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.ws;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.WsFrameCheck;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The reconnect storm: {@code storm.devices} devices connect to one gateway node and are greeted;
 * once all are (or {@code storm.assembleTimeoutSeconds} after the ramp), every device drops its
 * connection at the same moment and reconnects at once, as a node's devices do when a network
 * path flaps ({@code storm.trigger=close}); or the node is drained ({@code storm.trigger=drain},
 * {@code POST /ops/drain} with the ops token) and each device, at its {@code go_away}, reconnects
 * to {@code storm.reconnectUrls} (the other nodes). The node admits what its limits allow ({@code maxConnectsPerSecond}, device slots)
 * and refuses the rest with {@code 503} + {@code Retry-After}; each refused device waits exactly
 * that long and tries again ({@link DeviceReconnect}), until every device is welcomed again.
 *
 * <p>Reported (HTML report, console): {@value DeviceReconnect#REWELCOMED} per device (storm → its
 * new welcome), {@value DeviceReconnect#ALL_REWELCOMED} once (storm → the last welcome),
 * {@value DeviceReconnect#REFUSED} per 503 and {@value DeviceReconnect#WAITED} per wait. The run
 * passes if no request failed (every 503 carried a Retry-After and was obeyed) and every device
 * came back; {@code storm.expectRefusals=true} also requires at least one 503, i.e. that the
 * storm really met the node's admission limits.
 */
public class ReconnectStormSimulation extends Simulation {
    private final int devices = Settings.positiveInt("storm.devices", 200);
    private final int connectRate = Settings.positiveInt("storm.connectRate", 50);
    private final String gatewayUrl = Settings.string("storm.gatewayUrl", "ws://127.0.0.1:8080");
    private final String segment = Settings.string("storm.segment", "us-en");
    private final Duration assembleTimeout = Settings.seconds("storm.assembleTimeoutSeconds", 30);
    private final Duration rejoinTimeout = Settings.seconds("storm.rejoinTimeoutSeconds", 120);
    private final boolean expectRefusals = Boolean.parseBoolean(Settings.string("storm.expectRefusals", "false"));
    /** {@code close}: every device drops its connection at once; {@code drain}: the node is drained ({@code POST /ops/drain}). */
    private final Trigger trigger = Trigger.parse(Settings.string("storm.trigger", "close"));
    /** Where devices reconnect: the node itself by default; after a drain, the other nodes. */
    private final List<String> reconnectUrls = Settings.list("storm.reconnectUrls", gatewayUrl);
    private final String opsToken = Settings.string("kickoff.opsToken", System.getenv().getOrDefault("KICKOFF_OPS_TOKEN", ""));
    /** Upper bound of the drained node's drain window: how long a device waits for its go_away. */
    private final Duration drainWindow = Settings.seconds("storm.drainWindowSeconds", 30);

    /** What breaks the storm. */
    enum Trigger {
        CLOSE, DRAIN;

        static Trigger parse(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "close" -> CLOSE;
                case "drain" -> DRAIN;
                default -> throw new IllegalArgumentException("-Dstorm.trigger must be close or drain, got '" + value + "'");
            };
        }
    }

    private final Duration ramp = BroadcastHerdSimulation.rampFor(devices, connectRate);
    private final StormProgress progress = new StormProgress(devices);
    private final HttpClient reconnects = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private Thread conductor;

    private final ScenarioBuilder storm = scenario("reconnect storm (" + trigger.name().toLowerCase(Locale.ROOT) + ")")
            .feed(new DeviceTokenFeeder(Settings.tokenSecret(), "storm-" + System.currentTimeMillis(), List.of(segment),
                    Duration.ofHours(6)))
            .exec(ws("connect").connect("/v1/connect")
                    .subprotocol(BroadcastHerdSimulation.SUB_PROTOCOL)
                    .header("Authorization", "Bearer #{token}"))
            .exec(exitHereIfFailed())
            .exec(trigger == Trigger.CLOSE ? closeAtOnce() : leaveOnGoAway())
            .exec(ws("close").close())
            .exec(DeviceReconnect.action(reconnects, reconnectUrls, progress))
            .exec(exitHereIfFailed());

    /** Greeted, then wait for the storm (a poll, not a timer, so every device drops within 50 ms of it). */
    private ChainBuilder closeAtOnce() {
        return exec(ws("hello").sendText(HELLO).await(Duration.ofSeconds(10)).on(welcome()))
                .exec(exitHereIfFailed())
                .exec(asLongAs(session -> !progress.stormBroken()).on(pause(Duration.ofMillis(50))));
    }

    /**
     * Greeted, then wait for the node's {@code go_away} (armed by the same send as the welcome, so it
     * cannot slip by), then wait its {@code reconnect_after_ms}.
     */
    private ChainBuilder leaveOnGoAway() {
        WsFrameCheck goAway = ws.checkTextMessage("go_away")
                .matching(jsonPath("$.goAway").exists())
                .check(jsonPath("$.goAway.reason").is("drain"),
                        jsonPath("$.goAway.reconnectAfterMs").ofLong().optional().saveAs("reconnectAfterMs"));
        return exec(ws("hello").sendText(HELLO)
                        .await(Duration.ofSeconds(10)).on(welcome())
                        .await(ramp.plus(assembleTimeout).plus(drainWindow).plus(Duration.ofSeconds(10))).on(goAway))
                .exec(exitHereIfFailed())
                .exec(pause(session -> Duration.ofMillis(session.contains("reconnectAfterMs") ? session.getLong("reconnectAfterMs") : 0)));
    }

    private static final String HELLO = "{\"hello\":{\"clientVersion\":\"kickoff-load-tests/gatling\"}}";

    private WsFrameCheck welcome() {
        return ws.checkTextMessage("welcome").check(jsonPath("$.welcome.sessionId").transform(sessionId -> {
            progress.deviceGreeted();
            return sessionId;
        }));
    }

    public ReconnectStormSimulation() {
        List<Assertion> assertions = new ArrayList<>(List.of(
                global().failedRequests().count().is(0L),
                details(DeviceReconnect.REWELCOMED).successfulRequests().count().is((long) devices),
                details(DeviceReconnect.ALL_REWELCOMED).successfulRequests().count().is(1L)));
        if (expectRefusals) {
            assertions.add(details(DeviceReconnect.REFUSED).successfulRequests().count().gt(0L));
        }
        setUp(storm.injectOpen(rampUsers(devices).during(ramp)))
                .protocols(http.wsBaseUrl(gatewayUrl).disableWarmUp())
                .maxDuration(ramp.plus(assembleTimeout).plus(trigger == Trigger.DRAIN ? drainWindow : Duration.ZERO)
                        .plus(rejoinTimeout))
                .assertions(assertions);
    }

    @Override
    public void before() {
        Probes.requireOk(Settings.httpBase(gatewayUrl) + "/readyz", "gateway");
        if (trigger == Trigger.DRAIN && opsToken.isBlank()) {
            throw new IllegalArgumentException("-Dstorm.trigger=drain needs the node's ops token: -Dkickoff.opsToken or KICKOFF_OPS_TOKEN");
        }
        System.out.printf(Locale.ROOT, "storm: %d devices connect over %d s to %s, then %s; they reconnect to %s%n",
                devices, ramp.toSeconds(), gatewayUrl,
                trigger == Trigger.CLOSE ? "all drop their connection at once" : "the node is drained", reconnectUrls);
        conductor = new Thread(this::breakOnceAllGreeted, "storm-conductor");
        conductor.setDaemon(true);
        conductor.start();
    }

    private void breakOnceAllGreeted() {
        try {
            if (!progress.awaitGreeted(ramp.plus(assembleTimeout))) {
                System.out.printf(Locale.ROOT, "storm: only %d/%d devices greeted; breaking the storm anyway%n",
                        progress.greetedDevices(), devices);
            }
            progress.breakStorm(System.currentTimeMillis());
            if (trigger == Trigger.DRAIN) {
                drainNode();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code POST /ops/drain}: 202 and the node sends its devices away over its drain window. */
    private void drainNode() throws InterruptedException {
        String url = Settings.httpBase(gatewayUrl) + "/ops/drain";
        try {
            HttpResponse<String> response = reconnects.send(HttpRequest.newBuilder(URI.create(url))
                    .header("Authorization", "Bearer " + opsToken).timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            System.out.printf(Locale.ROOT, "storm: POST %s answered %d %s%n", url, response.statusCode(), response.body().trim());
        } catch (java.io.IOException e) {
            System.out.println("storm: POST " + url + " failed: " + e);
        }
    }

    @Override
    public void after() {
        if (conductor != null) {
            conductor.interrupt();
        }
        System.out.printf(Locale.ROOT, "storm: %d/%d devices re-welcomed after %d refusals (503 + Retry-After)%n",
                progress.rewelcomedDevices(), devices, progress.refusals());
    }
}
