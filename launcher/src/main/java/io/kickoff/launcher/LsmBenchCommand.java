package io.kickoff.launcher;

import io.kickoff.bus.EventBus;
import io.kickoff.bus.StartFrom;
import io.kickoff.bus.Topic;
import io.kickoff.lsm.LiveStateManager;
import io.kickoff.lsm.api.AdminToken;
import io.kickoff.lsm.client.AdminClient;
import io.kickoff.lsm.client.NewEventRequest;
import io.kickoff.lsm.client.WriteOptions;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.StageUpdate;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Measures the Live State Manager end to end on a real Redis and a real Kafka: from the admin
 * call to the update being visible to a bus subscriber, one at a time (latency), then many at
 * once (sustained transitions per second).
 */
@Command(name = "lsm-bench", mixinStandardHelpOptions = true,
        description = {"Benchmark the Live State Manager: admin transition -> update visible to a bus subscriber "
                + "(latency, one at a time), then sustained transitions per second (many in flight). Starts its own "
                + "Redis and Kafka unless --kafka and --redis are given."})
final class LsmBenchCommand implements Callable<Integer> {
    private static final String TOKEN = "lsm-bench-operator";

    @Option(names = "--events", defaultValue = "300", description = "Events to create; each gets 4 transitions (default: ${DEFAULT-VALUE}).")
    int events;

    @Option(names = "--concurrency", defaultValue = "16", description = "Admin calls in flight in the throughput phase (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--kafka", description = "Kafka bootstrap servers (default: start a broker).")
    String kafka;

    @Option(names = "--redis", description = "Redis URI (default: start a server).")
    String redis;

    @Spec
    CommandSpec spec;

    /** "event#seq" → when the update was seen on the bus (System.nanoTime()). */
    private final Map<String, CompletableFuture<Long>> seenAt = new ConcurrentHashMap<>();

    @Override
    public Integer call() throws Exception {
        if (events < 1 || concurrency < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--events and --concurrency must be at least 1");
        }
        if ((kafka == null) != (redis == null)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "give both --kafka and --redis, or neither");
        }
        RedisAddress.validate(spec, redis);
        PrintWriter out = spec.commandLine().getOut();
        // The output is the result: the services' own INFO lines would bury it (KICKOFF_LOG_LEVEL brings them back).
        LogOutput.quietUnlessAsked();
        out.println(kafka == null ? "starting a Redis server and a Kafka broker..." : "using Kafka " + kafka + " and " + redis);
        out.flush();
        try (Infrastructure infrastructure = kafka == null ? Infrastructure.embedded() : Infrastructure.external(kafka, redis);
             LsmStorage storage = LsmStorage.open(infrastructure.redisUri())) {
            EventBus watcherBus = infrastructure.bus("lsm-bench-watcher");
            watcherBus.subscribe(Topic.STAGES, StartFrom.NOW, r -> {
                try {
                    StageUpdate u = StageUpdate.parseFrom(r.value());
                    seen(u.getEventId(), u.getSeq()).complete(System.nanoTime());
                } catch (Exception e) {
                    // not ours
                }
            });
            try (LiveStateManager lsm = LiveStateManager.start(LiveStateManager.Config.of("127.0.0.1", 0,
                    Map.of(TOKEN, AdminToken.operator("bench")), "lsm-bench"), storage.store(), storage.idempotency(), storage.lease(),
                    infrastructure.bus("lsm-bench"), Clock.systemUTC())) {
                try {
                    lsm.whenLeader().get(30, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    out.println("FAILED: the Live State Manager did not become the leader within 30 s");
                    return 1;
                }
                AdminClient admin = new AdminClient(URI.create("http://127.0.0.1:" + lsm.adminPort()), TOKEN,
                        HttpClient.newBuilder().executor(java.util.concurrent.Executors.newFixedThreadPool(4)).build(),
                        AdminClient.DEFAULT_TIMEOUT);
                out.printf("creating %d events, then %d transitions one at a time...%n", events, events - 1);
                out.flush();
                String run = Long.toString(System.currentTimeMillis(), 36);
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < events; i++) {
                    String id = "bench-" + run + "-" + i;
                    ids.add(id);
                    admin.createEvent(NewEventRequest.of(id, "Bench", Instant.parse("2099-01-01T00:00:00Z")));
                }
                // Warm the path (JIT, connections) with one event's first transition, not measured.
                transitionAndWait(admin, ids.get(0), Stage.PREFETCH, 1);

                Histogram latency = new Histogram(3_600_000_000L, 3);
                for (String id : ids.subList(1, ids.size())) {
                    long micros = transitionAndWait(admin, id, Stage.PREFETCH, 1);
                    latency.recordValue(micros);
                }
                out.printf("latency, admin call -> visible on the bus, one at a time (%d transitions):%n",
                        latency.getTotalCount());
                out.printf("  p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", latency.getValueAtPercentile(50) / 1000.0,
                        latency.getValueAtPercentile(99) / 1000.0, latency.getMaxValue() / 1000.0);

                out.printf("then %d transitions with %d admin calls in flight...%n", events * 3, concurrency);
                out.flush();
                Semaphore inFlight = new Semaphore(concurrency);
                List<CompletableFuture<?>> calls = new ArrayList<>();
                long start = System.nanoTime();
                for (Stage to : List.of(Stage.PRE_SHOW, Stage.LIVE, Stage.ENDED)) {
                    for (String id : ids) {
                        inFlight.acquire();
                        calls.add(admin.transitionAsync(id, to, WriteOptions.NONE).whenComplete((r, e) -> inFlight.release()));
                    }
                }
                CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).join();
                long lastSeq = 4;
                List<CompletableFuture<Long>> lastUpdates = ids.stream().map(id -> seen(id, lastSeq)).toList();
                try {
                    CompletableFuture.allOf(lastUpdates.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    out.println("FAILED: not every update reached the bus within 120 s");
                    return 1;
                }
                long last = lastUpdates.stream().mapToLong(CompletableFuture::join).max().orElseThrow();
                double seconds = (last - start) / 1e9;
                int transitions = ids.size() * 3;
                out.printf("throughput, %d transitions with %d admin calls in flight: %.0f transitions/s "
                        + "(all visible on the bus after %.2f s)%n", transitions, concurrency, transitions / seconds, seconds);
                out.printf("store: %s; bus: Kafka %s%n", storage.durable() ? "Redis " + infrastructure.redisUri() : "memory",
                        infrastructure.bootstrapServers());
                out.flush();
                return 0;
            }
        }
    }

    private CompletableFuture<Long> seen(String eventId, long seq) {
        return seenAt.computeIfAbsent(eventId + "#" + seq, key -> new CompletableFuture<>());
    }

    private long transitionAndWait(AdminClient admin, String id, Stage to, long seq) throws Exception {
        long start = System.nanoTime();
        admin.transition(id, to);
        long seen;
        try {
            seen = seen(id, seq).get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(id + "#" + seq + " never reached the bus");
        }
        return Math.max(0, (seen - start) / 1000);
    }
}
