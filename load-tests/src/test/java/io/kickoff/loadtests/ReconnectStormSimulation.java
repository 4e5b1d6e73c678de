package io.kickoff.loadtests;

import static io.gatling.javaapi.core.CoreDsl.asLongAs;
import static io.gatling.javaapi.core.CoreDsl.details;
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
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.WsFrameCheck;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The reconnect storm: {@code storm.devices} devices connect to one gateway node and are greeted;
 * once all are (or {@code storm.assembleTimeoutSeconds} after the ramp), every device drops its
 * connection at the same moment and reconnects at once, as a node's devices do when a network
 * path flaps. The node admits what its limits allow ({@code maxConnectsPerSecond}, device slots)
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

    private final Duration ramp = BroadcastHerdSimulation.rampFor(devices, connectRate);
    private final StormProgress progress = new StormProgress(devices);
    private final HttpClient reconnects = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private Thread conductor;

    private final ScenarioBuilder storm = scenario("reconnect storm")
            .feed(new DeviceTokenFeeder(Settings.tokenSecret(), "storm-" + System.currentTimeMillis(), List.of(segment),
                    Duration.ofHours(6)))
            .exec(ws("connect").connect("/v1/connect")
                    .subprotocol(BroadcastHerdSimulation.SUB_PROTOCOL)
                    .header("Authorization", "Bearer #{token}"))
            .exec(exitHereIfFailed())
            .exec(ws("hello").sendText("{\"hello\":{\"clientVersion\":\"kickoff-load-tests/gatling\"}}")
                    .await(Duration.ofSeconds(10)).on(welcome()))
            .exec(exitHereIfFailed())
            // Greeted: wait for the storm (a poll, not a timer, so every device drops within 50 ms of it).
            .exec(asLongAs(session -> !progress.stormBroken()).on(pause(Duration.ofMillis(50))))
            .exec(ws("close").close())
            .exec(DeviceReconnect.action(reconnects, gatewayUrl, progress))
            .exec(exitHereIfFailed());

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
                .maxDuration(ramp.plus(assembleTimeout).plus(rejoinTimeout))
                .assertions(assertions);
    }

    @Override
    public void before() {
        Probes.requireOk(Settings.httpBase(gatewayUrl) + "/readyz", "gateway");
        System.out.printf(Locale.ROOT, "storm: %d devices connect over %d s to %s, then all reconnect at once%n",
                devices, ramp.toSeconds(), gatewayUrl);
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
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
