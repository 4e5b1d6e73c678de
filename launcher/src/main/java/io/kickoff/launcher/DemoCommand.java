package io.kickoff.launcher;

import io.kickoff.gateway.GatewayConfig;

import io.kickoff.lsm.client.AdminClient;
import io.kickoff.lsm.client.AudienceAnswer;
import io.kickoff.lsm.client.NewEventRequest;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.simulator.DeviceFleet;
import io.kickoff.simulator.FleetConfig;
import io.kickoff.simulator.PlayPlan;
import io.kickoff.simulator.SimulatorReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The platform end to end in one process, told as a timeline: start it (on a real Kafka and Redis it starts itself,
 * by default), connect a few thousand simulated devices, create the example catalog's live event and move it to
 * PREFETCH through the admin API (the prefetch node materializes the segment's bundle and the gateway pushes it to
 * every device, spread over its push window), count down, set it LIVE, report who received it and how fast, holding
 * the bundle to render, watch the audience rise as a share of the devices plays (on Kafka), then END it and watch the
 * audience fall to 0. Exit 0 if every device went through every step, 1 with the reason otherwise.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, defaultValueProvider = DemoCommand.EmbeddedByDefault.class,
        description = {"Start the platform, connect simulated devices, move the example catalog's event to PREFETCH "
                + "(every device gets its bundle), count down, set it LIVE through the admin API, then ENDED, printing "
                + "each step on a timeline: devices connecting and bundle coverage as progress, delivery figures of the "
                + "LIVE broadcast (reached, p50/p99, time to 100 %%, bundle cache hits), the audience rising by segment as "
                + "devices play (on Kafka), a summary.",
                "Exits 0 if every device held the bundle and received LIVE and ENDED, and (on Kafka) the audience was exactly "
                        + "the players after LIVE and 0 after ENDED; 1 with the reason otherwise.",
                "Runs on a real Kafka broker and Redis server it starts and stops (--mode embedded, the default for "
                        + "demo); --mode memory needs nothing."})
final class DemoCommand implements Callable<Integer> {
    /** The live event of the example catalog (prefetch-service/catalog-example.json). */
    static final String EVENT_ID = "ev-ufc-309";
    /** PREFETCH is seq 1, LIVE seq 2, ENDED seq 3. */
    static final long LIVE_SEQ = 2;
    static final long ENDED_SEQ = 3;
    /** How long the demo waits for the console and home-screen pages to answer when it checks they are served. */
    private static final Duration PAGE_CHECK_TIMEOUT = Duration.ofSeconds(2);

    @Mixin
    PlatformOptionsMixin options;

    @Option(names = "--devices", defaultValue = "2000",
            description = "Simulated devices to connect, all in this process (default: ${DEFAULT-VALUE}).")
    int devices;

    @Option(names = "--segments", defaultValue = "us-en-adult=2,br-pt-adult=1", paramLabel = "SEGMENT[=WEIGHT],...",
            description = "Audience segments of the devices, the catalog's, with their weights: 2:1 puts two thirds of the "
                    + "devices in the first, a third in the second (default: ${DEFAULT-VALUE}).")
    String segmentsText;

    @Option(names = "--play-share", defaultValue = "0.8", paramLabel = "SHARE",
            description = "Share of the devices, in [0, 1], that start playing the event once it is LIVE: the audience "
                    + "(counted from their viewing signals through Kafka) rises to them, segment by segment, and falls "
                    + "to 0 at ENDED (default: ${DEFAULT-VALUE}).")
    double playShare;

    @Option(names = "--play-delay", defaultValue = "3s", paramLabel = "DURATION",
            description = "Each player starts within a random time in [0, DURATION] after LIVE (default: ${DEFAULT-VALUE}).")
    Duration playDelay;

    @Option(names = "--timeout", defaultValue = "30s",
            description = "How long each step may wait for every device: connected, holding the bundle, at LIVE, "
                    + "at ENDED (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--countdown", defaultValue = "3s",
            description = "Countdown between every device holding the bundle and LIVE, a line a second "
                    + "(default: ${DEFAULT-VALUE}; 0s: none).")
    Duration countdown;

    @Option(names = "--report", paramLabel = "FILE",
            description = "Also write what the demo showed as JSON to FILE (ok, reason, timeline, delivery figures).")
    Path reportFile;

    @Mixin
    GatewaySettings gatewaySettings;

    @Spec
    CommandSpec spec;

    private SegmentMix segments;
    private PlayPlan play;

    /** The demo runs on a real Kafka and Redis unless told otherwise: {@code --mode embedded} is its default. */
    static final class EmbeddedByDefault implements IDefaultValueProvider {
        private static final GatewaySettings.Defaults GATEWAY_DEFAULTS = new GatewaySettings.Defaults();

        @Override
        public String defaultValue(ArgSpec arg) {
            if (arg instanceof OptionSpec option && "--mode".equals(option.longestName())) {
                return Mode.embedded.name();
            }
            return GATEWAY_DEFAULTS.defaultValue(arg);
        }
    }

    @Override
    public Integer call() throws Exception {
        if (devices < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--devices must be at least 1");
        }
        if (timeout.isNegative() || timeout.isZero() || countdown.isNegative()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--timeout must be positive and --countdown not negative");
        }
        try {
            segments = SegmentMix.parse(segmentsText);
            play = new PlayPlan(playShare, playDelay);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--segments/--play-share/--play-delay: " + e.getMessage());
        }
        options.options.validate(spec);
        gatewaySettings.applyTo(GatewayConfig.builder()).build();
        PrintWriter out = spec.commandLine().getOut();
        PlatformOptions platformOptions = options.options;
        DemoReport report = new DemoReport(platformOptions.mode.name(), EVENT_ID, segments.names(), devices);
        out.printf(Locale.ROOT, "Starting Kickoff (mode %s) for %,d simulated devices...%n", platformOptions.mode, devices);
        out.flush();
        try (DemoTimeline timeline = new DemoTimeline(out, System.console() != null, System.nanoTime())) {
            // A demo's first broadcast has nothing to gain from the gateway's warm-up (10-25 s), which serve and
            // gateway run before they say they are ready.
            try (Platform platform = Platform.start(platformOptions, GatewayConfig.WarmUp.OFF, gatewaySettings::applyTo)) {
                Banner.print(out, platformOptions, platform);
                report.at("services_up", timeline.elapsedMillis());
                tell(platform, timeline, report);
            }
        }
        summarize(out, report);
        if (reportFile != null) {
            try {
                report.write(reportFile);
                out.printf("report written to %s%n", reportFile);
            } catch (IOException e) {
                out.printf("could not write the report to %s: %s%n", reportFile, e.getMessage());
                out.flush();
                return 1;
            }
        }
        out.flush();
        return report.ok() ? 0 : 1;
    }

    /** The story, step by step; stops at the first step not every device went through and says why. */
    private void tell(Platform platform, DemoTimeline timeline, DemoReport report) throws InterruptedException {
        String local = localHost(options.options.host);
        URI gateway = URI.create("ws://" + local + ":" + platform.gateway().port() + "/v1/connect");
        URI admin = URI.create("http://" + local + ":" + platform.lsm().adminPort());
        URI bundleApi = URI.create("http://" + local + ":" + platform.prefetch().port());
        DemoReport.Addresses addresses = new DemoReport.Addresses(admin + "/v1/events", served(admin.resolve("/console/")),
                served(bundleApi.resolve("/home/")), gateway.toString(), bundleApi + "/v1/bundles");
        report.addresses(addresses);
        timeline.step("services up", servicesUp(platform));
        if (addresses.homeScreen() != null || addresses.console() != null) {
            List<String> watch = new ArrayList<>();
            if (addresses.homeScreen() != null) {
                watch.add("a device in your browser " + addresses.homeScreen());
            }
            if (addresses.console() != null) {
                watch.add("the producer console " + addresses.console());
            }
            timeline.step("watch", String.join("; ", watch));
        }
        try (DeviceFleet fleet = DeviceFleet.open(FleetConfig.builder()
                .gateway(gateway)
                .devices(devices)
                .deviceIds(i -> "demo-device-" + i)
                .tokens(i -> platform.tokens().issue("demo-device-" + i, segments.segmentOf(i), Duration.ofHours(1)))
                .bundleApi(bundleApi)
                .play(play)
                .build())) {
            if (connect(fleet, gateway, timeline, report)
                    && prefetch(fleet, platform, admin, timeline, report)
                    && live(fleet, admin, timeline, report)
                    && audienceRises(platform, admin, timeline, report)
                    && end(fleet, admin, timeline, report)) {
                audienceFalls(platform, admin, timeline, report);
            }
        } catch (RuntimeException e) {
            // The admin API refusing a step, say: the reason in one line, the report still written.
            report.failed(CommandFailure.of(e).line());
        }
    }

    private boolean connect(DeviceFleet fleet, URI gateway, DemoTimeline timeline, DemoReport report)
            throws InterruptedException {
        timeline.step("connecting", String.format(Locale.ROOT, "%,d simulated devices to %s", devices, gateway));
        long started = timeline.elapsedMillis();
        // Every device's first welcome, however many attempts it took: a 503 makes a device retry, not the demo fail.
        CompletableFuture<Void> welcomed = fleet.whenAllWelcomed();
        try (DemoTimeline.Progress progress = timeline.progress("connecting", devices, fleet::welcomedCount, "welcomed")) {
            fleet.connectAll();
            awaitAtMost(welcomed);
        }
        long count = fleet.welcomedCount();
        Long took = count >= devices ? timeline.elapsedMillis() - started : null;
        report.connect(new DemoReport.Connect(count, took, fleet.failuresByCause(), fleet.reconnects()));
        if (took == null) {
            report.failed(String.format(Locale.ROOT, "%,d of %,d devices connected to %s within %s (failed attempts: %s)",
                    count, devices, gateway, Durations.format(timeout),
                    fleet.failuresByCause().isEmpty() ? "none" : fleet.failuresByCause()));
            return false;
        }
        report.at("connected", timeline.elapsedMillis());
        timeline.step("connected", String.format(Locale.ROOT, "%,d/%,d devices welcomed in %s", count, devices,
                seconds(took)));
        return true;
    }

    private boolean prefetch(DeviceFleet fleet, Platform platform, URI admin, DemoTimeline timeline, DemoReport report)
            throws InterruptedException {
        AdminClient adminApi = adminClient(admin);
        adminApi.createEvent(NewEventRequest.of(EVENT_ID, "UFC 309", Instant.now().plus(Duration.ofHours(2)))
                .withSegments(segments.names()));
        adminApi.transition(EVENT_ID, Stage.PREFETCH);
        long started = timeline.elapsedMillis();
        report.at("prefetch", started);
        timeline.step("PREFETCH", String.format(Locale.ROOT, "%s created for segments %s and moved to PREFETCH: the prefetch "
                        + "node builds their bundles, the gateway pushes them to the devices over %s", EVENT_ID,
                String.join(", ", segments.names()),
                Durations.format(platform.gateway().config().bundlePushWindow())));
        try (DemoTimeline.Progress progress = timeline.progress("prefetch", devices,
                () -> fleet.holdingBundle(EVENT_ID), "devices hold the bundle")) {
            awaitAtMost(fleet.whenHoldingBundle(EVENT_ID, devices));
        }
        long holding = fleet.holdingBundle(EVENT_ID);
        Long took = holding >= devices ? timeline.elapsedMillis() - started : null;
        report.prefetch(new DemoReport.Prefetch(holding, took));
        if (took == null) {
            report.failed(String.format(Locale.ROOT, "%,d of %,d devices got the %s bundle within %s (are %s in the "
                    + "catalog's segments, and %s among its live events?)", holding, devices, EVENT_ID,
                    Durations.format(timeout), String.join(", ", segments.names()), EVENT_ID));
            return false;
        }
        report.at("prefetched", timeline.elapsedMillis());
        timeline.step("prefetched", String.format(Locale.ROOT, "100 %% coverage: %,d/%,d devices hold the bundle, %s "
                + "after PREFETCH", holding, devices, seconds(took)));
        return true;
    }

    private boolean live(DeviceFleet fleet, URI admin, DemoTimeline timeline, DemoReport report)
            throws InterruptedException {
        try {
            timeline.countdown("countdown", "LIVE", countdown).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("countdown failed", e.getCause());
        }
        CompletableFuture<Void> reached = fleet.whenReached(EVENT_ID, LIVE_SEQ, devices);
        long criticalBefore = fleet.criticalBundleFetches();
        adminClient(admin).transition(EVENT_ID, Stage.LIVE);
        report.at("live", timeline.elapsedMillis());
        timeline.step("LIVE", String.format(Locale.ROOT, "%s set LIVE through the admin API: one broadcast to %,d devices",
                EVENT_ID, devices));
        try (DemoTimeline.Progress progress = timeline.progress("delivering", devices,
                () -> fleet.reached(EVENT_ID, LIVE_SEQ), "devices show LIVE")) {
            awaitAtMost(reached);
        }
        SimulatorReport figures = fleet.report(EVENT_ID, LIVE_SEQ);
        // The update names the segment's bundle version: a device holding it renders with no request.
        long cacheHits = fleet.countDevices(d -> d.applied(EVENT_ID, LIVE_SEQ).map(u -> u.bundleHeld()).orElse(false));
        DemoReport.Live live = new DemoReport.Live(figures.reached(), figures.applied(), figures.p50Millis(),
                figures.p99Millis(), figures.maxMillis(), figures.timeToAllMillis(), cacheHits,
                fleet.criticalBundleFetches() - criticalBefore);
        report.live(live);
        timeline.step("delivered", String.format(Locale.ROOT, "%,d/%,d devices reached; latency p50 %s, p99 %s; "
                        + "100 %% in %s; bundle cache hits %,d/%,d", figures.reached(), devices, millis(live.p50Ms()),
                millis(live.p99Ms()), millis(live.timeTo100Ms()), cacheHits, devices));
        if (figures.reached() < devices) {
            report.failed(String.format(Locale.ROOT, "%,d of %,d devices received %s LIVE within %s", figures.reached(),
                    devices, EVENT_ID, Durations.format(timeout)));
            return false;
        }
        report.at("all_live", timeline.elapsedMillis());
        if (cacheHits < devices) {
            report.failed(String.format(Locale.ROOT, "%,d of %,d devices held the bundle version %s LIVE named "
                    + "(%,d critical fetches after it)", cacheHits, devices, EVENT_ID, live.criticalFetches()));
            return false;
        }
        return true;
    }

    private boolean end(DeviceFleet fleet, URI admin, DemoTimeline timeline, DemoReport report) throws InterruptedException {
        CompletableFuture<Void> reached = fleet.whenReached(EVENT_ID, ENDED_SEQ, devices);
        adminClient(admin).transition(EVENT_ID, Stage.ENDED);
        awaitAtMost(reached);
        SimulatorReport figures = fleet.report(EVENT_ID, ENDED_SEQ);
        report.ended(new DemoReport.Ended(figures.reached(), figures.timeToAllMillis()));
        timeline.step("ENDED", String.format(Locale.ROOT, "%,d/%,d devices show the event ended; 100 %% in %s",
                figures.reached(), devices, millis(figures.timeToAllMillis())));
        if (figures.reached() < devices) {
            report.failed(String.format(Locale.ROOT, "%,d of %,d devices received %s ENDED within %s", figures.reached(),
                    devices, EVENT_ID, Durations.format(timeout)));
            return false;
        }
        report.at("ended", timeline.elapsedMillis());
        return true;
    }

    /**
     * After LIVE: the audience the producer sees ({@code GET /v1/events/{id}/audience}, counted by the audience service
     * from the players' viewing signals through Kafka) rises, a line each time it moves, until it is exactly the
     * players of each segment and LIVE's plays are all of them. Without Kafka there is no audience: said, not failed.
     */
    private boolean audienceRises(Platform platform, URI admin, DemoTimeline timeline, DemoReport report)
            throws InterruptedException {
        if (platform.audience().isEmpty()) {
            timeline.step("audience", "not counted: the audience needs Kafka (--mode embedded or external)");
            return true;
        }
        int players = play.players(devices);
        Map<String, Long> expected = segments.countsOfFirst(players);
        timeline.step("audience", String.format(Locale.ROOT, "%,d of the devices start playing within %s of LIVE; "
                + "their viewing signals go through the gateway and Kafka to the audience service", players,
                Durations.format(playDelay)));
        long liveAt = report.timeline().getOrDefault("live", timeline.elapsedMillis());
        AudienceAnswer seen = watchAudience(admin, timeline, answer -> answer.viewers() == players
                && expected.equals(withZeros(expected, answer.segments()))
                && livePlays(answer) == players);
        boolean converged = seen != null && seen.viewers() == players && livePlays(seen) == players
                && expected.equals(withZeros(expected, seen.segments()));
        report.audience(new DemoReport.Audience(players, expected, seen == null ? 0 : seen.viewers(),
                seen == null ? Map.of() : seen.segments(), seen == null ? 0 : livePlays(seen),
                converged ? timeline.elapsedMillis() - liveAt : null));
        if (!converged) {
            report.failed(String.format(Locale.ROOT, "the audience of %s showed %s within %s, not the %,d players %s",
                    EVENT_ID, seen == null ? "nothing" : describe(seen), Durations.format(timeout), players, expected));
            return false;
        }
        report.at("audience", timeline.elapsedMillis());
        return true;
    }

    /** After ENDED: every player sent STOPPED, so the audience falls to 0. */
    private void audienceFalls(Platform platform, URI admin, DemoTimeline timeline, DemoReport report)
            throws InterruptedException {
        if (platform.audience().isEmpty() || play.players(devices) == 0) {
            return;
        }
        AudienceAnswer seen = watchAudience(admin, timeline, answer -> answer.viewers() == 0);
        long left = seen == null ? -1 : seen.viewers();
        report.audienceAfterEnded(left);
        if (left != 0) {
            report.failed(String.format(Locale.ROOT, "the audience of %s was %s %s after ENDED, not 0", EVENT_ID,
                    seen == null ? "unknown" : describe(seen), Durations.format(timeout)));
        }
    }

    /**
     * Reads the event's audience every second, a timeline line each time it moves, until {@code done} or --timeout;
     * returns the last answer (null: none came).
     */
    private AudienceAnswer watchAudience(URI admin, DemoTimeline timeline, Predicate<AudienceAnswer> done)
            throws InterruptedException {
        AdminClient adminApi = adminClient(admin);
        long deadline = System.nanoTime() + timeout.toNanos();
        AudienceAnswer last = null;
        String shown = null;
        while (true) {
            last = adminApi.audience(EVENT_ID);
            String now = describe(last);
            if (!now.equals(shown)) {
                timeline.step("audience", now);
                shown = now;
            }
            if (done.test(last) || System.nanoTime() >= deadline) {
                return last;
            }
            TimeUnit.SECONDS.sleep(1);
        }
    }

    /** {@code seen} with a 0 for each segment of {@code expected} it lacks, in {@code expected}'s order. */
    private static Map<String, Long> withZeros(Map<String, Long> expected, Map<String, Long> seen) {
        Map<String, Long> all = new LinkedHashMap<>();
        expected.keySet().forEach(segment -> all.put(segment, seen.getOrDefault(segment, 0L)));
        seen.forEach(all::putIfAbsent);
        return all;
    }

    private static long livePlays(AudienceAnswer answer) {
        return answer.broadcasts().stream().filter(b -> b.seq() == LIVE_SEQ).mapToLong(AudienceAnswer.Broadcast::plays)
                .findFirst().orElse(0);
    }

    /** {@code 1,600 watching: us-en-adult 800, br-pt-adult 533, us-en-teen 267; LIVE turned into 1,600 plays}. */
    private static String describe(AudienceAnswer answer) {
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "%,d watching", answer.viewers()));
        if (!answer.segments().isEmpty()) {
            text.append(": ").append(String.join(", ", answer.segments().entrySet().stream()
                    .map(e -> String.format(Locale.ROOT, "%s %,d", e.getKey().isEmpty() ? "(none)" : e.getKey(), e.getValue()))
                    .toList()));
        }
        answer.broadcasts().stream().filter(b -> b.seq() == LIVE_SEQ).findFirst().ifPresent(b -> text.append(String.format(
                Locale.ROOT, "; LIVE turned into %,d plays", b.plays())));
        return text.toString();
    }

    /** The figures again, after the platform stopped, then OK or FAILED with the reason: one line either way. */
    private void summarize(PrintWriter out, DemoReport report) {
        DemoReport.Connect connect = report.connect();
        DemoReport.Prefetch prefetch = report.prefetch();
        DemoReport.Live live = report.live();
        if (connect != null) {
            out.println();
            out.printf(Locale.ROOT, "Summary (%,d devices, mode %s):%n", devices, options.options.mode);
            out.printf(Locale.ROOT, "  connected           %,d/%,d devices%s%n", connect.welcomed(), devices,
                    connect.connectMs() == null ? "" : " in " + seconds(connect.connectMs()));
        }
        if (prefetch != null) {
            out.printf(Locale.ROOT, "  bundle coverage     %s (%,d/%,d devices)%s%n", DemoTimeline.percent(prefetch.holding(), devices),
                    prefetch.holding(), devices,
                    prefetch.coverageMs() == null ? "" : ", " + seconds(prefetch.coverageMs()) + " after PREFETCH");
        }
        if (live != null) {
            out.printf(Locale.ROOT, "  LIVE reached        %,d/%,d devices%n", live.reached(), devices);
            out.printf(Locale.ROOT, "  latency p50 / p99   %s / %s (issued_at to receipt)%n", millis(live.p50Ms()),
                    millis(live.p99Ms()));
            out.printf(Locale.ROOT, "  time to 100 %%       %s%n", millis(live.timeTo100Ms()));
            out.printf(Locale.ROOT, "  bundle cache hits   %,d/%,d devices had the bundle before LIVE (%,d critical fetches after it)%n",
                    live.bundleCacheHits(), devices, live.criticalFetches());
        }
        DemoReport.Audience audience = report.audience();
        if (audience != null) {
            out.printf(Locale.ROOT, "  audience            %,d watching after LIVE (%s), %,d plays of LIVE; %s after ENDED%n",
                    audience.viewers(), String.join(", ", audience.segments().entrySet().stream()
                            .map(e -> e.getKey() + " " + String.format(Locale.ROOT, "%,d", e.getValue())).toList()),
                    audience.livePlays(), report.audienceAfterEnded() == null ? "n/a" : report.audienceAfterEnded());
        } else if (live != null && options.options.mode == Mode.memory) {
            out.println("  audience            not counted in memory mode (the audience needs Kafka)");
        }
        if (report.ok()) {
            out.printf(Locale.ROOT, "OK: all %,d devices received %s LIVE (seq %d), its bundle already in hand, and ENDED%n",
                    devices, EVENT_ID, LIVE_SEQ);
        } else {
            out.println("FAILED: " + report.failure());
        }
        out.flush();
    }

    private AdminClient adminClient(URI admin) {
        return new AdminClient(admin, options.options.operatorToken());
    }

    private String servicesUp(Platform platform) {
        Infrastructure infrastructure = platform.infrastructure();
        String bus = switch (options.options.mode) {
            case memory -> "in-process bus";
            case embedded -> "Kafka " + infrastructure.bootstrapServers() + " and Redis " + infrastructure.redisUri()
                    + " (started by kickoff)";
            case external -> "Kafka " + infrastructure.bootstrapServers()
                    + (infrastructure.redisUri() == null ? "" : " and Redis " + infrastructure.redisUri());
        };
        return bus + "; Live State Manager, gateway " + platform.gateway().config().nodeId() + ", prefetch node";
    }

    /** {@code page} if it answers 200 (the console and the home screen are served where they exist), else null. */
    private static String served(URI page) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(PAGE_CHECK_TIMEOUT).build();
        try {
            HttpResponse<Void> answer = http.send(HttpRequest.newBuilder(page).timeout(PAGE_CHECK_TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            return answer.statusCode() == 200 ? page.toString() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String localHost(String host) {
        return "0.0.0.0".equals(host) || "::".equals(host) ? "127.0.0.1" : host;
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }

    private static String millis(Double millis) {
        return millis == null || millis.isNaN() ? "n/a" : String.format(Locale.ROOT, "%.1f ms", millis);
    }

    /** Waits for the future until --timeout passes; the caller counts what happened either way. */
    private void awaitAtMost(CompletableFuture<Void> future) throws InterruptedException {
        try {
            future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            future.cancel(false);
        }
    }
}
