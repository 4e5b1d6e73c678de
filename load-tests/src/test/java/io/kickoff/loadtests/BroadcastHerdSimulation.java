package io.kickoff.loadtests;

import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.exitHereIfFailed;
import static io.gatling.javaapi.core.CoreDsl.feed;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.ws;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.gatling.javaapi.http.WsFrameCheck;
import io.kickoff.lsm.client.AdminClient;
import io.kickoff.lsm.client.NewEventRequest;
import io.kickoff.protocol.v1.Stage;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/**
 * The broadcast herd: {@code herd.devices} devices connect to a gateway over WebSocket
 * ({@code /v1/connect}, sub-protocol {@code kickoff.v1.json}, each with its own device token), send
 * {@code hello} and check the {@code welcome}, then listen. Once every device listens, the producer
 * (a thread started in {@link #before()}, standing for a human at the admin API) moves the event to
 * LIVE. Each device must receive that stage update, ack it, and see a {@code pong} to a {@code ping}
 * sent after the ack, which proves the gateway has read the ack (a connection's frames are handled
 * in order). The run passes only if no request failed and every device received LIVE.
 *
 * <p>First, a warm-up herd of {@code herd.warmupDevices} devices does the same on an event of its
 * own ({@code <event>-warmup}), so that the measured herd meets JIT-compiled code on both sides (the
 * platform's and Gatling's), as a real herd meets a platform that has been up for a while. Its
 * requests are named {@code warm-up: …}; it is not part of the LIVE figures.
 *
 * <p>Needs a running platform ({@code kickoff serve}); {@code load-tests/run-herd.sh} starts one.
 */
public class BroadcastHerdSimulation extends Simulation {
    static final String SUB_PROTOCOL = "kickoff.v1.json";
    private static final String WARMUP = "warm-up: ";

    private final int devices = Settings.positiveInt("herd.devices", 200);
    private final int connectRate = Settings.positiveInt("herd.connectRate", 100);
    private final int warmupDevices = Settings.nonNegativeInt("herd.warmupDevices", 50);
    /** Devices are spread round-robin over these gateways (one node or several behind no balancer). */
    private final List<String> gatewayUrls = Settings.list("herd.gatewayUrls", Settings.string("herd.gatewayUrl", "ws://127.0.0.1:8080"));
    private final String adminUrl = Settings.string("herd.adminUrl", "http://127.0.0.1:8081");
    private final String segment = Settings.string("herd.segment", "us-en");
    private final String eventId = Settings.string("herd.event", "herd-" + System.currentTimeMillis());
    private final String warmupEventId = eventId + "-warmup";
    private final Duration assembleTimeout = Settings.seconds("herd.assembleTimeoutSeconds", 30);
    private final Duration liveTimeout = Settings.seconds("herd.liveTimeoutSeconds", 30);
    private final boolean endEvents = Boolean.parseBoolean(Settings.string("herd.endEvent", "true"));
    /** false: another producer (a person, a script) moves {@code herd.event} to LIVE; the run only listens. */
    private final boolean goLive = Boolean.parseBoolean(Settings.string("herd.goLive", "true"));
    /** Bound of the p99 of {@code issued_at} → device, asserted. */
    private final int p99BoundMillis = Settings.positiveInt("herd.p99BoundMs", 5_000);

    /** Devices arrive at {@code connectRate} per second, warm-up devices too. */
    private final Duration ramp = rampFor(devices, connectRate);
    private final Duration warmupRamp = rampFor(warmupDevices, connectRate);
    /** After its ramp, the producer waits this much longer for a herd to listen before going LIVE with whoever does. */
    private final Duration herdDeadline = ramp.plus(assembleTimeout);
    private final Duration warmupDeadline = warmupRamp.plus(assembleTimeout);

    private final HerdProgress progress = new HerdProgress(devices);
    private final HerdProgress warmupProgress = new HerdProgress(Math.max(1, warmupDevices));
    private final AdminClient admin = new AdminClient(URI.create(adminUrl), Settings.adminToken());
    private Thread producer;
    private volatile String producerOutcome = "the producer did not run";

    private final ScenarioBuilder warmup = scenario("warm-up")
            .exec(device(WARMUP, "warmup-" + eventId, warmupEventId, warmupProgress, warmupDeadline));

    private final ScenarioBuilder herd = scenario("broadcast herd")
            .exec(session -> {
                progress.deviceStarted(); // tells the producer the warm-up is over and the herd is coming
                return session;
            })
            .exec(device("", "herd-" + eventId, eventId, progress, herdDeadline));

    private final HttpProtocolBuilder protocol = http
            .wsBaseUrls(gatewayUrls)
            .disableWarmUp();

    /** Names of the timings the simulation logs itself (see {@link Timings}); they are in the HTML report. */
    static final String LIVE_LATENCY = "LIVE: issued_at -> device";
    static final String LIVE_FROM_ADMIN_CALL = "LIVE: admin call -> device";
    static final String LIVE_TIME_TO_ALL = "LIVE: time to 100 %";

    public BroadcastHerdSimulation() {
        PopulationBuilder theHerd = herd.injectOpen(rampUsers(devices).during(ramp));
        if (!goLive && warmupDevices > 0) {
            throw new IllegalArgumentException("-Dherd.goLive=false needs -Dherd.warmupDevices=0: the warm-up goes LIVE itself");
        }
        setUp(warmupDevices == 0 ? theHerd
                : warmup.injectOpen(rampUsers(warmupDevices).during(warmupRamp)).andThen(theHerd))
                .protocols(protocol)
                .maxDuration(warmupDeadline.plus(herdDeadline).plus(liveTimeout.multipliedBy(2)).plus(Duration.ofSeconds(60)))
                .assertions(
                        global().failedRequests().count().is(0L),
                        // 100 % of the devices received LIVE ...
                        details("LIVE").successfulRequests().count().is((long) devices),
                        details(LIVE_LATENCY).successfulRequests().count().is((long) devices),
                        // ... so the last device logged the time to 100 %.
                        details(LIVE_TIME_TO_ALL).successfulRequests().count().is(1L),
                        details(LIVE_LATENCY).responseTime().percentile(99.0).lt(p99BoundMillis));
    }

    /**
     * One device, from connect to close. Request and check names start with {@code label}.
     *
     * @param deadline how long after its first device the producer may wait for this herd (the
     *                 device's wait for LIVE is bounded by it plus {@code herd.liveTimeoutSeconds})
     */
    private ChainBuilder device(String label, String idPrefix, String event,
                                HerdProgress herdProgress, Duration deadline) {
        // The first text frame after hello must be the welcome; from then on the device listens.
        WsFrameCheck welcome = ws.checkTextMessage(label + "welcome")
                .check(jsonPath("$.welcome.sessionId").transform(sessionId -> {
                    herdProgress.deviceListening();
                    return sessionId;
                }).saveAs("sessionId"));
        // The stage update of this herd's event; frames of other events (e.g. left by earlier runs) are ignored.
        WsFrameCheck live = ws.checkTextMessage(label + "LIVE")
                .matching(jsonPath("$.stageUpdate.eventId").is(event))
                .check(jsonPath("$.stageUpdate.stage").is("LIVE"),
                        jsonPath("$.stageUpdate.seq").saveAs("liveSeq"),
                        jsonPath("$.stageUpdate.issuedAt").transform(herdProgress::liveReceived).saveAs("liveReceipt"));
        WsFrameCheck pong = ws.checkTextMessage(label + "pong after ack")
                .matching(jsonPath("$.pong.serverTime").exists())
                .check(jsonPath("$.pong.nonce").is("1"));

        return feed(new DeviceTokenFeeder(Settings.tokenSecret(), idPrefix, List.of(segment), Duration.ofHours(6)))
                .exec(ws(label + "connect").connect("/v1/connect")
                        .subprotocol(SUB_PROTOCOL)
                        .header("Authorization", "Bearer #{token}"))
                .exec(exitHereIfFailed())
                // Both checks are armed by this one send: the LIVE check takes over the instant the
                // welcome is processed, so no update can slip between "listening" and "waiting".
                .exec(ws(label + "hello")
                        .sendText("{\"hello\":{\"clientVersion\":\"kickoff-load-tests/gatling\"}}")
                        .await(Duration.ofSeconds(10)).on(welcome)
                        .await(deadline.plus(liveTimeout)).on(live))
                .exec(exitHereIfFailed())
                .exec(liveTimings(label, herdProgress))
                .exec(ws(label + "ack").sendText("{\"ack\":{\"eventId\":\"" + event + "\",\"seq\":\"#{liveSeq}\"}}"))
                .exec(ws(label + "ping").sendText("{\"ping\":{\"nonce\":\"1\"}}").await(Duration.ofSeconds(10)).on(pong))
                .exec(ws(label + "close").close());
    }

    /**
     * The device's LIVE figures as requests of their own: {@code issued_at} → receipt, admin call →
     * receipt (when this run made the call), and, logged once by whichever device finds the herd
     * complete, admin call (or {@code issued_at}) → the last device's receipt.
     */
    private static ChainBuilder liveTimings(String label, HerdProgress herdProgress) {
        return exec(Timings.record(label + LIVE_LATENCY, session -> {
                    String receipt = session.getString("liveReceipt");
                    return Timings.Span.ok(HerdProgress.issuedAtMillis(receipt), HerdProgress.receivedMillis(receipt));
                }))
                .exec(Timings.record(label + LIVE_FROM_ADMIN_CALL, session -> herdProgress.adminCallMillis() < 0 ? null
                        : Timings.Span.ok(herdProgress.adminCallMillis(), HerdProgress.receivedMillis(session.getString("liveReceipt")))))
                .exec(Timings.record(label + LIVE_TIME_TO_ALL, session -> herdProgress.claimTimeToAll()));
    }

    /**
     * Whole seconds, at least one: Gatling 3.15 injects nothing at all from a ramp shorter than a
     * second, so a fast rate rounds the ramp up rather than down.
     */
    static Duration rampFor(int users, int perSecond) {
        return Duration.ofSeconds(Math.max(1, (users + perSecond - 1) / perSecond));
    }

    @Override
    public void before() {
        for (String gatewayUrl : gatewayUrls) {
            Probes.requireOk(Settings.httpBase(gatewayUrl) + "/readyz", "gateway");
        }
        Probes.requireOk(adminUrl + "/healthz", "admin API");
        Instant start = Instant.now().plus(Duration.ofHours(2)).truncatedTo(ChronoUnit.SECONDS);
        if (warmupDevices > 0) {
            admin.createEvent(NewEventRequest.of(warmupEventId, "Herd warm-up " + eventId, start).withSegments(List.of(segment)));
        }
        if (goLive) {
            admin.createEvent(NewEventRequest.of(eventId, "Herd " + eventId, start).withSegments(List.of(segment)));
        }
        System.out.printf(Locale.ROOT, "herd: event %s %s; %d warm-up devices, then %d devices of segment %s "
                + "connect over %d s to %s%n", eventId, goLive ? "created" : "(moved to LIVE by another producer)",
                warmupDevices, devices, segment, ramp.toSeconds(), gatewayUrls);
        if (!goLive) {
            producerOutcome = "another producer moves " + eventId + " to LIVE";
            return;
        }
        producer = new Thread(this::goLiveOnceEachHerdListens, "herd-producer");
        producer.setDaemon(true);
        producer.start();
    }

    /** The producer: waits for each herd (not for a fixed time), then makes the admin call. */
    private void goLiveOnceEachHerdListens() {
        try {
            if (warmupDevices > 0) {
                goLive(warmupEventId, warmupProgress, warmupDevices, warmupDeadline);
                // The herd starts once every warm-up device has finished.
                progress.awaitFirstDevice(warmupDeadline.plus(liveTimeout).plus(Duration.ofSeconds(30)));
            }
            producerOutcome = goLive(eventId, progress, devices, herdDeadline);
        } catch (InterruptedException e) {
            producerOutcome = "the producer was interrupted";
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            producerOutcome = "going LIVE failed: " + e.getMessage();
        }
    }

    private String goLive(String event, HerdProgress herdProgress, int herdSize, Duration deadline)
            throws InterruptedException {
        if (!herdProgress.awaitHerd(deadline)) {
            System.out.printf(Locale.ROOT, "herd: only %d/%d devices listening for %s after %d s; going LIVE anyway%n",
                    herdProgress.listeningDevices(), herdSize, event, deadline.toSeconds());
        }
        Instant start = Instant.now();
        herdProgress.adminCallStarted(start);
        JsonNode accepted = admin.transition(event, Stage.LIVE).body();
        return String.format(Locale.ROOT, "%s LIVE (seq %s) accepted in %.1f ms, with %d/%d devices listening",
                event, accepted.path("seq").asText("?"), Duration.between(start, Instant.now()).toNanos() / 1e6,
                herdProgress.listeningDevices(), herdSize);
    }

    @Override
    public void after() {
        if (producer != null) {
            producer.interrupt(); // only still waiting if the run was cut short
            try {
                producer.join(Duration.ofSeconds(15).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (warmupDevices > 0) {
            System.out.printf(Locale.ROOT, "herd: warm-up: %d/%d devices received %s LIVE%n",
                    warmupProgress.received(), warmupDevices, warmupEventId);
        }
        System.out.println("herd: " + producerOutcome);
        System.out.print(progress.summary());
        reportGatewayDelivery();
        if (endEvents && goLive) {
            // So that devices of later runs against the same platform are not sent these events.
            for (String event : warmupDevices > 0 ? List.of(warmupEventId, eventId) : List.of(eventId)) {
                try {
                    admin.transition(event, Stage.ENDED);
                } catch (RuntimeException e) {
                    System.out.println("herd: could not end " + event + ": " + e.getMessage());
                }
            }
        }
    }

    /**
     * The gateways' own account of the LIVE update (acks counted server side), which reaches the
     * Live State Manager about once a second: polled until it counts every ack the herd sent, or 10 s.
     */
    private void reportGatewayDelivery() {
        Instant deadline = Instant.now().plusSeconds(10);
        JsonNode line = null;
        try {
            while (Instant.now().isBefore(deadline)) {
                JsonNode deliveries = admin.delivery(eventId).body().path("deliveries");
                line = deliveries.isArray() && deliveries.size() > 0 ? deliveries.get(0) : null;
                if (line != null && line.path("acked").asInt() >= progress.received()) {
                    break;
                }
                Thread.sleep(250); // delivery figures are pushed by the gateways on a timer; nothing to wait on here
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            System.out.println("herd: no delivery figures: " + e.getMessage());
            return;
        }
        if (line == null) {
            System.out.println("herd: the gateways reported no delivery figures for " + eventId);
            return;
        }
        System.out.printf(Locale.ROOT,
                "gateway delivery report, seq %s: targeted %d, written %d, acked %d (%.1f %%); "
                        + "issued_at -> ack p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                line.path("seq").asText(), line.path("targeted").asInt(), line.path("written").asInt(),
                line.path("acked").asInt(), line.path("acked_percent").asDouble(), line.path("p50_ms").asDouble(),
                line.path("p99_ms").asDouble(), line.path("max_ms").asDouble());
    }
}
