package io.kickoff.gateway;

import com.google.protobuf.Timestamp;
import io.kickoff.bus.InProcessEventBus;
import io.kickoff.bus.Topic;
import io.kickoff.http.Probes;
import io.kickoff.protocol.MalformedFrameException;
import io.kickoff.protocol.WireFormat;
import io.kickoff.protocol.token.DeviceTokens;
import io.kickoff.protocol.v1.Ack;
import io.kickoff.protocol.v1.ClientFrame;
import io.kickoff.protocol.v1.Hello;
import io.kickoff.protocol.v1.Ping;
import io.kickoff.protocol.v1.ServerFrame;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.StageUpdate;
import java.io.ByteArrayOutputStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a node's first real broadcast as fast as its later ones. Before the node says it is ready,
 * a throwaway node in the same process (its own loopback port, bus, token secret and metrics, so
 * that nothing of it is seen from outside) serves loopback devices a series of broadcasts, with
 * acks and pings, on both wire formats. The JIT compiles code per method, not per node, so the
 * real node starts with the fan-out, encode and ack paths compiled; the devices are JDK WebSocket
 * clients, so that Netty's code is profiled with the server's handlers only.
 */
final class LoopbackWarmUp {
    private static final Logger log = LoggerFactory.getLogger(LoopbackWarmUp.class);
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(20);
    /**
     * Rounds go on at least this many times, then until the JIT has compiled nothing for
     * {@link #JIT_QUIET_MILLIS} while they run. At start-up the compile queue is long and the
     * thresholds for the optimizing compiler grow with it, so a fixed number of rounds may end
     * with the hot paths still interpreted or only profiled.
     */
    private static final int MIN_ROUNDS = 400;
    private static final long JIT_QUIET_MILLIS = 1_000;
    /**
     * Where other work keeps the JIT busy (the other services of {@code kickoff serve}), rounds also
     * stop once they no longer get faster: the last {@code PLATEAU_ROUNDS} took at least 90 % of the
     * time of the ones before (and at least {@link #MIN_ROUNDS} ran).
     */
    private static final int PLATEAU_ROUNDS = 200;
    private static final int CONNECTS_IN_FLIGHT = 128;
    private static final int CHURN_EVERY = 4;
    private static final int NEW_EVENTS_EVERY = 48;
    private static final String[] SEGMENTS = {"warm-a", "warm-b", "warm-c", "warm-d"};
    private static final Stage[] STAGES = {Stage.SCHEDULED, Stage.PREFETCH, Stage.PRE_SHOW, Stage.LIVE, Stage.ENDED};

    /** What a warm-up did. */
    /** Why the rounds stopped. */
    enum Ending {
        JIT_QUIET("until the JIT was done"),
        PLATEAU("until rounds stopped getting faster"),
        BUDGET("the JIT still busy at the end of the budget");

        final String text;

        Ending(String text) {
            this.text = text;
        }
    }

    record Report(int devices, long connectMillis, int rounds, long roundsMillis, long updatesAcked, Ending ending) {
        long millis() {
            return connectMillis + roundsMillis;
        }
    }

    private LoopbackWarmUp() {
    }

    /** Runs on a thread of its own; the future fails if the warm-up could not run (the node works anyway). */
    static CompletableFuture<Report> start(GatewayConfig config) {
        CompletableFuture<Report> done = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                done.complete(run(config));
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }, "gateway-warm-up");
        thread.setDaemon(true);
        thread.start();
        return done;
    }

    private static Report run(GatewayConfig config) throws Exception {
        long started = System.nanoTime();
        GatewayConfig.WarmUp plan = config.warmUp();
        byte[] secret = new byte[DeviceTokens.MIN_SECRET_BYTES];
        new SecureRandom().nextBytes(secret);
        DeviceTokens tokens = new DeviceTokens(secret, Clock.systemUTC());
        GatewayConfig throwaway = config.toBuilder()
                .host("127.0.0.1").port(0).nodeId(config.nodeId() + "-warm-up")
                .maxConnections(plan.devices() + 64).maxConnectsPerSecond(0).opsToken(null)
                // Its devices ack and ping far faster than a device may: same checks, other numbers.
                .inboundRate(1_000_000, 1_000_000)
                .warmUp(GatewayConfig.WarmUp.OFF)
                .tls(null) // its loopback devices speak plain ws://
                .build();
        ExecutorService clientThreads = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "gateway-warm-up-devices");
            t.setDaemon(true);
            return t;
        });
        long acked;
        int round = 0;
        boolean jitQuiet = false;
        boolean plateau = false;
        long connectMillis;
        long roundsMillis;
        try (InProcessEventBus bus = new InProcessEventBus();
             Gateway node = Gateway.start(throwaway, tokens, bus, Clock.systemUTC())) {
            within("the warm-up node to be ready", node.whenReady());
            HttpClient http = HttpClient.newBuilder().executor(clientThreads).build();
            URI uri = URI.create("ws://127.0.0.1:" + node.port() + HttpEndpoints.WEBSOCKET_PATH);
            List<LoopbackDevice> devices = connect(http, uri, tokens, plan.devices());
            connectMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            long roundsFrom = System.nanoTime();
            long roundsUntil = roundsFrom + plan.budget().minus(Duration.ofNanos(roundsFrom - started)).toNanos();
            JitActivity jit = new JitActivity();
            URI[] probes = {URI.create("http://127.0.0.1:" + node.port() + Probes.METRICS),
                URI.create("http://127.0.0.1:" + node.port() + Probes.READYZ)};
            long[] roundEnds = new long[2 * PLATEAU_ROUNDS + 1];
            roundEnds[0] = roundsFrom;
            while (!jitQuiet && !plateau && System.nanoTime() - roundsUntil < 0) {
                round++;
                if (round % CHURN_EVERY == 0) {
                    churn(http, uri, tokens, devices, round);
                }
                long acksBefore = (long) node.metrics().count("kickoff_gateway_acks");
                StageUpdate update = update(round);
                bus.publish(Topic.STAGES, update.getEventId(), update.toByteArray()).get(STEP_TIMEOUT.toMillis(),
                        TimeUnit.MILLISECONDS);
                long expected = audience(update, devices.size());
                await("the acks of warm-up round " + round,
                        () -> node.metrics().count("kickoff_gateway_acks") - acksBefore >= expected);
                // Devices ping at their own pace: a quarter of them each round.
                for (int i = round % 4; i < devices.size(); i += 4) {
                    devices.get(i).ping();
                }
                // Probes and scrapes share the HTTP codec and aggregator with upgrades: without them in the
                // warm-up, the first /metrics scrape after it sends the code compiled for frames back to the
                // interpreter (a class-check deoptimization), just before the first real broadcast.
                probe(http, probes[round % probes.length]);
                jitQuiet = round >= MIN_ROUNDS && jit.quietFor(JIT_QUIET_MILLIS);
                roundEnds[round % roundEnds.length] = System.nanoTime();
                if (round >= Math.max(MIN_ROUNDS, 2 * PLATEAU_ROUNDS)) {
                    long now = roundEnds[round % roundEnds.length];
                    long middle = roundEnds[(round - PLATEAU_ROUNDS) % roundEnds.length];
                    long before = roundEnds[(round - 2 * PLATEAU_ROUNDS) % roundEnds.length];
                    plateau = (now - middle) * 10 >= (middle - before) * 9;
                }
            }
            roundsMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - roundsFrom);
            acked = (long) node.metrics().count("kickoff_gateway_acks");
            devices.forEach(LoopbackDevice::abort);
        } finally {
            clientThreads.shutdownNow();
        }
        return new Report(plan.devices(), connectMillis, round, roundsMillis, acked,
                jitQuiet ? Ending.JIT_QUIET : plateau ? Ending.PLATEAU : Ending.BUDGET);
    }

    private static List<LoopbackDevice> connect(HttpClient http, URI uri, DeviceTokens tokens, int count)
            throws Exception {
        List<LoopbackDevice> devices = new ArrayList<>(count);
        Semaphore inFlight = new Semaphore(CONNECTS_IN_FLIGHT);
        List<CompletableFuture<WebSocket>> opened = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            if (!inFlight.tryAcquire(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new TimeoutException("warm-up devices did not connect within " + STEP_TIMEOUT);
            }
            LoopbackDevice device = new LoopbackDevice(i % 2 == 0 ? WireFormat.JSON : WireFormat.PROTOBUF);
            devices.add(device);
            opened.add(open(http, uri, tokens, device, i).whenComplete((w, e) -> inFlight.release()));
        }
        CompletableFuture.allOf(opened.toArray(CompletableFuture[]::new))
                .get(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        within("the warm-up devices to be welcomed",
                CompletableFuture.allOf(devices.stream().map(d -> d.welcomed).toArray(CompletableFuture[]::new)));
        return devices;
    }

    /** Device {@code i}: format by parity, segments dealt in turn. */
    private static CompletableFuture<WebSocket> open(HttpClient http, URI uri, DeviceTokens tokens, LoopbackDevice device,
                                                     int i) {
        return http.newWebSocketBuilder()
                .header("Authorization", "Bearer " + tokens.issue("warm-up-" + i, SEGMENTS[i % SEGMENTS.length],
                        Duration.ofHours(1)))
                .subprotocols(device.format.subprotocol())
                .connectTimeout(STEP_TIMEOUT)
                .buildAsync(uri, device);
    }

    /**
     * Real devices come and go, and meet events they never heard of: one device in turn leaves and
     * comes back as a new connection (hello, welcome with the snapshot, a session with no progress
     * yet), so the compiled fan-out and ack paths also know those branches.
     */
    private static void churn(HttpClient http, URI uri, DeviceTokens tokens, List<LoopbackDevice> devices, int round)
            throws Exception {
        int i = (round / CHURN_EVERY) % devices.size();
        devices.get(i).abort();
        LoopbackDevice device = new LoopbackDevice(devices.get(i).format);
        devices.set(i, device);
        open(http, uri, tokens, device, i).get(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        within("warm-up device " + i + " to be welcomed again", device.welcomed);
    }

    private static void probe(HttpClient http, URI uri) throws Exception {
        http.send(HttpRequest.newBuilder(uri).timeout(STEP_TIMEOUT).GET().build(), HttpResponse.BodyHandlers.discarding());
    }

    /**
     * Round r: one of three events, three new ones every {@link #NEW_EVENTS_EVERY} rounds (the first
     * update of an event takes other branches than the next ones), every third round for half the
     * segments only (audience filtering); every field a real update has.
     */
    static StageUpdate update(int round) {
        StageUpdate.Builder update = StageUpdate.newBuilder()
                .setEventId("warm-up-" + round / NEW_EVENTS_EVERY + "-" + round % 3)
                .setSeq(round)
                .setStage(STAGES[round % STAGES.length])
                .setReason("warm-up")
                .setIssuedAt(timestamp(Instant.now()))
                .setScheduledStart(timestamp(Instant.now().plusSeconds(3_600)));
        if (round % 3 == 0) {
            update.addSegments(SEGMENTS[0]).addSegments(SEGMENTS[1]);
        }
        return update.build();
    }

    /** How many of {@code devices} warm-up devices (segments dealt in turn) the update is for. */
    static long audience(StageUpdate update, int devices) {
        return update.getSegmentsCount() == 0 ? devices : devices / SEGMENTS.length * update.getSegmentsCount()
                + Math.min(devices % SEGMENTS.length, update.getSegmentsCount());
    }

    private static Timestamp timestamp(Instant at) {
        return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
    }

    private static void within(String what, CompletableFuture<?> step) throws Exception {
        try {
            step.get(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new TimeoutException("waited " + STEP_TIMEOUT.toSeconds() + " s for " + what);
        }
    }

    /** For what only a figure tells (the node's ack count): polled on the warm-up's own thread. */
    private static void await(String what, BooleanSupplier condition) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new TimeoutException("waited " + STEP_TIMEOUT.toSeconds() + " s for " + what);
            }
            TimeUnit.MILLISECONDS.sleep(1); // off the event loops, on the warm-up's own thread
        }
    }

    /** Whether the JIT compilers have finished nothing for a while (no figure at all: taken as quiet). */
    private static final class JitActivity {
        private final CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        private long lastTotal = -1;
        private long changedAt = System.nanoTime();

        boolean quietFor(long millis) {
            if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
                return true;
            }
            long total = jit.getTotalCompilationTime();
            if (total != lastTotal) {
                lastTotal = total;
                changedAt = System.nanoTime();
                return false;
            }
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - changedAt) >= millis;
        }
    }

    /** One loopback device: hello, ack every update, ping when asked. */
    private static final class LoopbackDevice implements WebSocket.Listener {
        final WireFormat format;
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
        private final StringBuilder partialText = new StringBuilder();
        private final AtomicLong nonce = new AtomicLong();
        final CompletableFuture<Void> welcomed = new CompletableFuture<>();
        private WebSocket socket;
        // The JDK allows one outstanding send per socket: sends are chained.
        private CompletableFuture<WebSocket> lastSend;

        LoopbackDevice(WireFormat format) {
            this.format = format;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            socket = webSocket;
            lastSend = CompletableFuture.completedFuture(webSocket);
            send(ClientFrame.newBuilder().setHello(Hello.newBuilder().setClientVersion("warm-up")).build());
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partialText.append(data);
            if (last) {
                byte[] bytes = partialText.toString().getBytes(StandardCharsets.UTF_8);
                partialText.setLength(0);
                onFrame(bytes);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            partial.writeBytes(chunk);
            if (last) {
                byte[] bytes = partial.toByteArray();
                partial.reset();
                onFrame(bytes);
            }
            webSocket.request(1);
            return null;
        }

        private void onFrame(byte[] bytes) {
            ServerFrame frame;
            try {
                frame = format.decodeServerFrame(bytes);
            } catch (RuntimeException | MalformedFrameException e) {
                return; // the throwaway node never sends one; nothing to warm here
            }
            switch (frame.getFrameCase()) {
                case WELCOME -> welcomed.complete(null);
                case STAGE_UPDATE -> send(ClientFrame.newBuilder().setAck(Ack.newBuilder()
                        .setEventId(frame.getStageUpdate().getEventId()).setSeq(frame.getStageUpdate().getSeq())).build());
                default -> {
                }
            }
        }

        synchronized void ping() {
            send(ClientFrame.newBuilder().setPing(Ping.newBuilder().setNonce(nonce.incrementAndGet())).build());
        }

        private synchronized void send(ClientFrame frame) {
            byte[] bytes = format.encode(frame);
            lastSend = lastSend.thenCompose(ws -> format.isText()
                    ? ws.sendText(new String(bytes, StandardCharsets.UTF_8), true)
                    : ws.sendBinary(ByteBuffer.wrap(bytes), true));
        }

        void abort() {
            if (socket != null) {
                socket.abort();
            }
        }
    }
}
