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

import com.fasterxml.jackson.databind.JsonNode;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.kickoff.lsm.client.AdminClient;
import io.kickoff.lsm.client.NewEventRequest;
import io.kickoff.protocol.v1.Stage;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The soak: {@code soak.devices} devices connect and stay for {@code soak.durationSeconds} (an hour
 * by default), each sending a heartbeat ({@code ping}, checked {@code pong}) every
 * {@code soak.heartbeatSeconds}, while the producer makes an update every
 * {@code soak.updateIntervalSeconds}: events of the devices' segment created one after another and
 * moved PREFETCH → LIVE → ENDED, one transition per interval. At its next heartbeat, a device acks
 * the updates published since its last one (the producer tells it their seq: Gatling cannot wait
 * for pongs and catch unsolicited frames at once), so the gateway holds no redeliveries.
 *
 * <p>Memory: {@code soak.memoryMetric} (a Prometheus series selector, summed) is read from
 * {@code soak.metricsUrl} once the herd is connected and again just before the soak ends, with the
 * devices still connected; each reading is the lowest of {@code soak.memorySamples} (5) one second apart (heap use rises and
 * falls with each collection). The run passes if no request failed and the end reading is at most
 * {@code soak.maxMemoryGrowthMiB} above the start: logged as the request
 * {@value #MEMORY_FLAT}, OK or KO with both figures in its message.
 */
public class SoakSimulation extends Simulation {
    static final String MEMORY_FLAT = "soak: memory flat";

    private final int devices = Settings.positiveInt("soak.devices", 100);
    private final int connectRate = Settings.positiveInt("soak.connectRate", 50);
    private final List<String> gatewayUrls = Settings.list("soak.gatewayUrls", Settings.string("soak.gatewayUrl", "ws://127.0.0.1:8080"));
    private final String adminUrl = Settings.string("soak.adminUrl", "http://127.0.0.1:8081");
    private final String segment = Settings.string("soak.segment", "us-en");
    private final Duration duration = Settings.seconds("soak.durationSeconds", 3600);
    private final Duration heartbeat = Duration.ofSeconds(Settings.positiveInt("soak.heartbeatSeconds", 25));
    private final Duration updateInterval = Duration.ofSeconds(Settings.positiveInt("soak.updateIntervalSeconds", 60));
    private final String metricsUrl = Settings.string("soak.metricsUrl", Settings.httpBase(gatewayUrls.get(0)) + "/metrics");
    private final String memoryMetric = Settings.string("soak.memoryMetric", "jvm_memory_used_bytes{area=\"heap\"}");
    private final int maxGrowthMiB = Settings.nonNegativeInt("soak.maxMemoryGrowthMiB", 64);
    private final int memorySamples = Settings.positiveInt("soak.memorySamples", 5);
    private final Duration assembleTimeout = Settings.seconds("soak.assembleTimeoutSeconds", 30);
    private final String runId = "soak-" + System.currentTimeMillis();

    private final Duration ramp = BroadcastHerdSimulation.rampFor(devices, connectRate);
    private final AdminClient admin = new AdminClient(URI.create(adminUrl), Settings.adminToken());
    private final HttpClient metricsClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final CountDownLatch connected = new CountDownLatch(devices);
    /** Updates published so far: event id and seq, in order. */
    private final List<String[]> published = new CopyOnWriteArrayList<>();
    private final AtomicBoolean memoryLogged = new AtomicBoolean();
    private volatile boolean over;
    private volatile Timings.Span memoryVerdict;
    private volatile String outcome = "the producer did not run";
    /** The soak's event not moved to ENDED yet, if any, and its stage: closed in {@link #after()}, so later runs' devices are not sent it. */
    private volatile String unended;
    private volatile Stage unendedStage;
    private Thread producer;

    private final ScenarioBuilder soak = scenario("soak")
            .exec(feed(new DeviceTokenFeeder(Settings.tokenSecret(), runId, List.of(segment), duration.plusHours(1))))
            .exec(ws("connect").connect("/v1/connect")
                    .subprotocol(BroadcastHerdSimulation.SUB_PROTOCOL)
                    .header("Authorization", "Bearer #{token}"))
            .exec(exitHereIfFailed())
            .exec(ws("hello").sendText("{\"hello\":{\"clientVersion\":\"kickoff-load-tests/gatling\"}}")
                    .await(Duration.ofSeconds(10)).on(ws.checkTextMessage("welcome")
                            .check(jsonPath("$.welcome.sessionId").transform(id -> {
                                connected.countDown();
                                return id;
                            }))))
            .exec(exitHereIfFailed())
            .exec(session -> session.set("acked", 0).set("nonce", 0))
            .exec(asLongAs(session -> !over).on(
                    exec(asLongAs(session -> session.getInt("acked") < published.size()).on(
                            exec(session -> {
                                String[] update = published.get(session.getInt("acked"));
                                return session.set("ackFrame", "{\"ack\":{\"eventId\":\"" + update[0] + "\",\"seq\":\"" + update[1] + "\"}}")
                                        .set("acked", session.getInt("acked") + 1);
                            }).exec(ws("ack").sendText("#{ackFrame}"))))
                    .exec(session -> session.set("nonce", session.getInt("nonce") + 1))
                    .exec(ws("heartbeat").sendText("{\"ping\":{\"nonce\":\"#{nonce}\"}}")
                            .await(Duration.ofSeconds(10)).on(ws.checkTextMessage("pong")
                                    .matching(jsonPath("$.pong.serverTime").exists())
                                    .check(jsonPath("$.pong.nonce").isEL("#{nonce}"))))
                    .exec(exitHereIfFailed())
                    .exec(pause(heartbeat))))
            .exec(Timings.record(MEMORY_FLAT, session -> memoryVerdict != null && memoryLogged.compareAndSet(false, true)
                    ? memoryVerdict : null))
            .exec(ws("close").close());

    public SoakSimulation() {
        setUp(soak.injectOpen(rampUsers(devices).during(ramp)))
                .protocols(http.wsBaseUrls(gatewayUrls).disableWarmUp())
                .maxDuration(ramp.plus(assembleTimeout).plus(duration).plus(heartbeat).plus(Duration.ofSeconds(60)))
                .assertions(
                        global().failedRequests().count().is(0L),
                        details(MEMORY_FLAT).successfulRequests().count().is(1L));
    }

    @Override
    public void before() {
        for (String gatewayUrl : gatewayUrls) {
            Probes.requireOk(Settings.httpBase(gatewayUrl) + "/readyz", "gateway");
        }
        Probes.requireOk(adminUrl + "/healthz", "admin API");
        Probes.requireOk(metricsUrl, "metrics endpoint");
        System.out.printf(Locale.ROOT, "soak: %d devices of segment %s for %d s, heartbeat every %d s, an update every %d s; "
                        + "memory %s from %s, at most +%d MiB%n", devices, segment, duration.toSeconds(), heartbeat.toSeconds(),
                updateInterval.toSeconds(), memoryMetric, metricsUrl, maxGrowthMiB);
        producer = new Thread(this::produce, "soak-producer");
        producer.setDaemon(true);
        producer.start();
    }

    /** Waits for the herd, reads memory, publishes updates for the soak's duration, reads memory again, ends the soak. */
    private void produce() {
        try {
            if (!connected.await(ramp.plus(assembleTimeout).toMillis(), TimeUnit.MILLISECONDS)) {
                System.out.printf(Locale.ROOT, "soak: only %d/%d devices connected; soaking anyway%n",
                        devices - connected.getCount(), devices);
            }
            long startMillis = System.currentTimeMillis();
            double before = MemorySample.lowest(metricsClient, metricsUrl, memoryMetric, memorySamples);
            Instant end = Instant.now().plus(duration);
            Stage[] cycle = {Stage.PREFETCH, Stage.LIVE, Stage.ENDED};
            int updates = 0;
            while (Instant.now().plus(updateInterval).isBefore(end)) {
                Thread.sleep(updateInterval.toMillis()); // the producer's own pace: an update per interval
                String event = runId + "-" + updates / cycle.length;
                Stage stage = cycle[updates % cycle.length];
                if (stage == Stage.PREFETCH) {
                    admin.createEvent(NewEventRequest.of(event, "Soak " + event,
                            Instant.now().plus(Duration.ofHours(2)).truncatedTo(ChronoUnit.SECONDS)).withSegments(List.of(segment)));
                }
                JsonNode accepted = admin.transition(event, stage).body();
                published.add(new String[] {event, accepted.path("seq").asText()});
                unended = stage == Stage.ENDED ? null : event;
                unendedStage = stage;
                updates++;
            }
            Thread.sleep(Math.max(0, Duration.between(Instant.now(), end).toMillis() - memorySamples * 1_000L));
            double after = MemorySample.lowest(metricsClient, metricsUrl, memoryMetric, memorySamples);
            double growthMiB = (after - before) / (1024 * 1024);
            String figures = String.format(Locale.ROOT, "%s: %.1f MiB at start, %.1f MiB at end (%+.1f MiB, bound +%d MiB), %d updates",
                    memoryMetric, before / (1024 * 1024), after / (1024 * 1024), growthMiB, maxGrowthMiB, updates);
            outcome = figures;
            memoryVerdict = growthMiB <= maxGrowthMiB ? new Timings.Span(startMillis, System.currentTimeMillis(), true, null)
                    : Timings.Span.failed(startMillis, System.currentTimeMillis(), "memory grew: " + figures);
        } catch (InterruptedException e) {
            outcome = "the producer was interrupted";
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            outcome = "the producer failed: " + e.getMessage();
        } finally {
            over = true;
        }
    }

    @Override
    public void after() {
        over = true;
        if (producer != null) {
            producer.interrupt();
        }
        System.out.println("soak: " + outcome);
        String event = unended;
        if (event != null) {
            try {
                // A LIVE event ends; one still in PREFETCH can only be cancelled.
                admin.transition(event, unendedStage == Stage.LIVE ? Stage.ENDED : Stage.CANCELLED);
            } catch (RuntimeException e) {
                System.out.println("soak: could not end " + event + ": " + e.getMessage());
            }
        }
    }
}
