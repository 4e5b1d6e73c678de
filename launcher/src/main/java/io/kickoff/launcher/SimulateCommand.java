package io.kickoff.launcher;

import io.kickoff.http.TlsFileException;
import io.kickoff.http.TlsTrust;
import io.kickoff.protocol.WireFormat;
import io.kickoff.protocol.token.DeviceClaims;
import io.kickoff.protocol.token.DeviceTokens;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.simulator.DeviceConnectException;
import io.kickoff.simulator.DeviceFleet;
import io.kickoff.simulator.BundleCacheFigures;
import io.kickoff.simulator.DeviceOutcomes;
import io.kickoff.simulator.FleetConfig;
import io.kickoff.simulator.PlayPlan;
import io.kickoff.simulator.MisbehaviourPlan;
import io.kickoff.simulator.SimulatorReport;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import javax.net.ssl.TrustManagerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Plays a fleet of simulated devices against running gateways: connects them, optionally watches
 * an event until every device has reached given seqs, and reports delivery figures.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Connect simulated devices to running gateways and report what they receive.",
                "Devices connect over real WebSockets (paced), hold their connections, apply and ack stage updates, "
                        + "and reconnect with backoff. Without --watch they stay connected until Ctrl-C.",
                "With --watch EVENT, for each --watch-seq S in turn it waits for the update to arrive (no limit), then "
                        + "up to --watch-timeout for every device to reach seq >= S, and prints a report: devices reached, "
                        + "p50/p99/max latency from the update's issued_at to receipt, and the time to 100%%.",
                "With --expect EVENT:STAGE, it waits up to --timeout for every device to show that stage of the event.",
                "With --workers W, the devices are spread over W child processes (each with its own source addresses), "
                        + "whose progress is summed every second and whose reports are merged.",
                "Exit status: 0 if every device connected, reached every watched seq and converged to every expected "
                        + "stage, 1 if not, 2 for bad options."})
final class SimulateCommand implements Callable<Integer> {
    /** More sockets than this from one source address connect slowly on the benchmark machine. */
    static final int SOCKETS_PER_SOURCE_ADDRESS = 5_000;
    private static final long PROGRESS_MILLIS = 1_000;
    private static final long STILL_WAITING_SECONDS = 15;

    enum Format {
        proto(WireFormat.PROTOBUF), json(WireFormat.JSON);

        final WireFormat wire;

        Format(WireFormat wire) {
            this.wire = wire;
        }
    }

    @Option(names = "--gateway", required = true, paramLabel = "URI",
            description = "Gateway WebSocket URI, e.g. ws://127.0.0.1:8080 or wss://gw.example.com:443 (path /v1/connect "
                    + "by default). Repeat for "
                    + "several gateways: device i starts on gateway i mod n; sent away (go_away) it reconnects to one of the "
                    + "others at random, after a failure to the next one.")
    List<URI> gateways;

    @Option(names = "--devices", defaultValue = "100", description = "Devices to play (default: ${DEFAULT-VALUE}).")
    int devices;

    @Option(names = "--workers", defaultValue = "1", paramLabel = "W",
            description = "Child processes to spread the devices over, at most " + SimulationWorkers.MAX_DEVICES_PER_WORKER
                    + " devices each (the open-files limit); against a loopback gateway each gets its own 127.0.0.x "
                    + "source addresses (default: ${DEFAULT-VALUE}: this process).")
    int workers;

    @Option(names = "--worker-heap", paramLabel = "SIZE",
            description = "Heap of each worker process (default: 4GiB shared out over the workers).")
    ByteSize workerHeap;

    @Option(names = "--expect", paramLabel = "EVENT:STAGE",
            description = "Wait for every device to show this stage of the event (e.g. ev-ufc-309:LIVE); exit 1 unless "
                    + "all do within --timeout. For pipelines.")
    String expect;

    @Option(names = "--timeout", defaultValue = "2m", paramLabel = "DURATION",
            description = "With --expect: how long every device may take to converge (default: ${DEFAULT-VALUE}).")
    Duration expectTimeout;

    @Option(names = "--segment", defaultValue = "us-en", description = "Audience segment of every device (default: ${DEFAULT-VALUE}).")
    String segment;

    @Mixin
    TokenSecretOption tokenSecret;

    @Option(names = "--id-prefix", paramLabel = "PREFIX",
            description = "Device ids are PREFIX0, PREFIX1, ...; they must be unique across client processes "
                    + "(a gateway replaces a device's older connection). Default: sim-PID-.")
    String idPrefix;

    @Option(names = "--source-addresses", split = ",", paramLabel = "ADDR",
            description = "Local addresses to connect from, bound in round robin, e.g. 127.0.0.2,127.0.0.3 "
                    + "(one address connects fast only up to ~5,000 sockets here). Default: chosen by the OS.")
    List<String> sourceAddresses = new ArrayList<>();

    @Option(names = "--connects-per-second", defaultValue = "2000",
            description = "Connection attempts started per second, reconnects included; 0 for no limit (default: ${DEFAULT-VALUE}).")
    int connectsPerSecond;

    @Option(names = "--max-concurrent-connects", defaultValue = "256",
            description = "Connection attempts in flight at once, from dial to welcome (default: ${DEFAULT-VALUE}).")
    int maxConcurrentConnects;

    @Option(names = "--format", defaultValue = "proto",
            description = "Wire format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = "--withhold-acks",
            description = "Devices never ack stage updates (they still apply them), so the gateway's redelivery shows as duplicates.")
    boolean withholdAcks;

    @Option(names = "--bundle-api", paramLabel = "URI",
            description = "Bundle API, e.g. http://127.0.0.1:8082 (or https://): a device applying an update that names a bundle "
                    + "version it does not hold fetches it there as critical (counted in the report). Default: no fetching.")
    URI bundleApi;

    @Option(names = "--miss-jitter", defaultValue = "0s", paramLabel = "DURATION",
            description = "A device whose bundle cache misses (bundle not held, or past its expiry or max-age) waits a random "
                    + "time in [0, DURATION] before its critical fetch, e.g. 2s (default: ${DEFAULT-VALUE}: at once).")
    Duration missJitter;

    @Option(names = "--misbehave", paramLabel = "KIND=SHARE,...",
            description = "Shares of the fleet that misbehave on purpose, e.g. slow-reader=0.01,garbage=0.01,"
                    + "reconnect-storm=0.05,clock-skew=0.1,silent=0.01 (the last devices of the fleet; see the "
                    + "device-simulator README for what each does and what the gateway answers). Default: none.")
    String misbehave;

    @Option(names = "--clock-skew", defaultValue = "0s", paramLabel = "[-]DURATION",
            description = "How far the clocks of clock-skew devices are off, e.g. 10m or -10m (use --clock-skew=-10m) "
                    + "(default: ${DEFAULT-VALUE}).")
    String clockSkew;

    @Option(names = "--slow-reader-stall", defaultValue = "30s", paramLabel = "DURATION",
            description = "How long a slow-reader device stops reading after each welcome; longer than the gateway's "
                    + "slow-consumer timeout (15 s by default) to be closed for it (default: ${DEFAULT-VALUE}).")
    Duration slowReaderStall;

    @Option(names = "--tls-trust", paramLabel = "FILE",
            description = "PEM certificates the devices trust on wss:// and https:// (a private CA's, or a server's own "
                    + "self-signed one). Default: the JDK's trust store. The server's name is checked either way.")
    Path tlsTrust;

    @Option(names = "--play-share", defaultValue = "0", paramLabel = "SHARE",
            description = "Share of the devices, in [0, 1], that start playing an event once it is LIVE: they send viewing "
                    + "signals (PLAYING, a heartbeat at the gateway's interval, STOPPED at ENDED) (default: ${DEFAULT-VALUE}: none).")
    double playShare;

    @Option(names = "--play-delay", defaultValue = "0s", paramLabel = "DURATION",
            description = "Each player starts within a random time in [0, DURATION] after LIVE, e.g. 2s (default: ${DEFAULT-VALUE}).")
    Duration playDelay;

    @Option(names = "--accounts", defaultValue = "0", paramLabel = "N",
            description = "Give the devices' tokens an account (the acct claim): device i belongs to acct-(i % N), so "
                    + "about devices/N devices share each account and count in its concurrent streams; with --workers, "
                    + "i is the device's index in its worker (default: ${DEFAULT-VALUE}: no accounts).")
    int accounts;

    @Option(names = "--io-threads", defaultValue = "0",
            description = "Event loop threads of the fleet, 0 for two per core (default: ${DEFAULT-VALUE}).")
    int ioThreads;

    @Option(names = "--connect-timeout", defaultValue = "120s", paramLabel = "DURATION",
            description = "How long to wait for every device's first welcome (default: ${DEFAULT-VALUE}).")
    Duration connectTimeout;

    @Option(names = "--watch", paramLabel = "EVENT", description = "Event id to watch once connected.")
    String watch;

    @Option(names = "--watch-seq", split = ",", defaultValue = "1", paramLabel = "SEQ",
            description = "Seqs of the watched event to report on, in order, e.g. 1,2,3,4 (default: ${DEFAULT-VALUE}).")
    List<Long> watchSeqs;

    @Option(names = "--watch-start-timeout", defaultValue = "10m", paramLabel = "DURATION",
            description = "How long to wait for a watched seq to reach a first device before failing with a hint (the "
                    + "event may not exist, or not target --segment) (default: ${DEFAULT-VALUE}).")
    Duration watchStartTimeout;

    @Option(names = "--watch-timeout", defaultValue = "60s", paramLabel = "DURATION",
            description = "Per watched seq: how long after its first device received it every device may take (default: ${DEFAULT-VALUE}).")
    Duration watchTimeout;

    @Option(names = "--report-json", paramLabel = "FILE",
            description = "Write progress and figures as JSON to FILE (rewritten atomically after connecting and after "
                    + "each watched seq; \"phase\" says how far it got), for scripts. Each watched seq's latencies are in it "
                    + "as an HdrHistogram, which kickoff merge-reports merges over several client processes.")
    Path reportJson;

    @Option(names = "--report-latencies",
            description = "Also put every device's latency (microseconds) in --report-json, for exact percentiles "
                    + "(kickoff merge-reports needs only the histograms).")
    boolean reportLatencies;

    @Option(names = "--hold",
            description = "After the watch, keep the devices connected until Ctrl-C (without --watch they always are).")
    boolean hold;

    @Spec
    CommandSpec spec;

    final UntilStopped stop = new UntilStopped(30_000);

    @Override
    public Integer call() throws Exception {
        List<InetAddress> sources = validate();
        TrustManagerFactory trust = null;
        if (tlsTrust != null) {
            try {
                trust = TlsTrust.trustManagers(tlsTrust);
            } catch (TlsFileException e) {
                throw new ParameterException(spec.commandLine(), "--tls-trust: " + e.getMessage());
            }
        }
        MisbehaviourPlan misbehaviours;
        Duration skew;
        PlayPlan play;
        try {
            play = new PlayPlan(playShare, playDelay);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--play-share / --play-delay: " + e.getMessage());
        }
        try {
            misbehaviours = MisbehaviourPlan.parse(misbehave);
            skew = clockSkew.strip().startsWith("-") ? Durations.parse(clockSkew.strip().substring(1)).negated()
                    : Durations.parse(clockSkew);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--misbehave / --clock-skew: " + e.getMessage());
        }
        if (workers > 1) {
            return runWorkers(sources);
        }
        String prefix = idPrefix != null ? idPrefix : "sim-" + ProcessHandle.current().pid() + "-";
        DeviceTokens tokens = tokenSecret.tokens();
        Duration tokenTtl = Duration.ofHours(24);
        FleetConfig config = FleetConfig.builder()
                .gateways(gateways)
                .devices(devices)
                .signedDevices(prefix, segment, tokens, tokenTtl)
                .tokens(deviceTokens(prefix, segment, tokens, tokenTtl, accounts))
                .wireFormat(format.wire)
                .maxConcurrentConnects(maxConcurrentConnects)
                .connectsPerSecond(connectsPerSecond)
                .localAddresses(sources)
                .ioThreads(ioThreads)
                .ackUpdates(!withholdAcks)
                .bundleApi(bundleApi)
                .missJitter(missJitter)
                .misbehaviours(misbehaviours)
                .clockSkew(skew)
                .slowReaderStall(slowReaderStall)
                .tlsTrust(trust)
                .play(play)
                .build();
        PrintWriter out = spec.commandLine().getOut();
        SimulationReport report = new SimulationReport(reportJson, prefix, config, watch, reportLatencies);
        stop.install();
        try (DeviceFleet fleet = DeviceFleet.open(config)) {
            out.printf("simulating %d devices (%s...) against %s%s%n", devices, prefix, config.gateways(),
                    withholdAcks ? ", withholding acks" : "");
            out.flush();
            report.connecting(fleet);
            boolean allConnected = connect(fleet, report, out);
            if (fleet.welcomedCount() == 0 && !stop.isRequested()) {
                if (report.fatal() == null) {
                    spec.commandLine().getErr().printf("kickoff: no device connected within %s; is a gateway "
                            + "listening on %s?%n", connectTimeout, config.gateways());
                    spec.commandLine().getErr().flush();
                    report.fatal("no device connected within " + connectTimeout);
                }
                report.done(fleet, false);
                return 1;
            }
            boolean allReached = true;
            if (watch != null) {
                for (long seq : watchSeqs) {
                    if (stop.isRequested()) {
                        break;
                    }
                    SimulatorReport figures = watchSeq(fleet, seq, report, out);
                    if (figures == null) {
                        break; // stopped while waiting for the update to appear
                    }
                    allReached &= figures.allReached();
                    report.broadcast(fleet, figures);
                }
            }
            if (expect != null && !stop.isRequested()) {
                allReached &= expectStage(fleet, out);
            }
            if (bundleApi != null) {
                out.printf("critical bundle fetches: %d%n", fleet.criticalBundleFetches());
                BundleCacheFigures cache = fleet.bundleCache();
                out.printf("bundle cache: %d hits, %d misses (%d expired), %d fetched, %d not modified (304), "
                        + "%d fetches failed%n", cache.hits(), cache.misses(), cache.expired(), cache.fetched(),
                        cache.notModified(), cache.fetchFailures());
                out.flush();
            }
            if (!misbehaviours.shares().isEmpty()) {
                for (DeviceOutcomes outcome : fleet.outcomes().values()) {
                    out.printf("%s: %d devices, %d welcomes, closes %s, refusals %s (%d with Retry-After), "
                            + "storm reconnects %d%n", outcome.kind(), outcome.devices(), outcome.welcomes(),
                            outcome.closeCodes(), outcome.httpStatuses(), outcome.refusalsWithRetryAfter(),
                            outcome.reconnects());
                }
                out.flush();
            }
            boolean ok = allConnected && allReached && !stop.isRequested();
            if ((watch == null && expect == null) || hold) {
                report.holding(fleet);
                out.printf("holding %d connected devices; stop with Ctrl-C%n", fleet.connectedCount());
                out.flush();
                stop.await();
            }
            report.done(fleet, ok);
            return ok ? 0 : 1;
        } finally {
            stop.finished();
        }
    }

    private List<InetAddress> validate() {
        if (devices < 1) {
            throw new ParameterException(spec.commandLine(), "--devices must be at least 1");
        }
        if (connectsPerSecond < 0 || maxConcurrentConnects < 1 || ioThreads < 0) {
            throw new ParameterException(spec.commandLine(),
                    "--connects-per-second must be >= 0, --max-concurrent-connects >= 1, --io-threads >= 0");
        }
        for (Duration d : List.of(connectTimeout, watchTimeout, watchStartTimeout)) {
            if (d.isNegative() || d.isZero()) {
                throw new ParameterException(spec.commandLine(),
                        "--connect-timeout, --watch-start-timeout and --watch-timeout must be positive");
            }
        }
        if (workers < 1 || (devices + workers - 1) / workers > SimulationWorkers.MAX_DEVICES_PER_WORKER) {
            throw new ParameterException(spec.commandLine(), "--workers must be at least 1 and leave at most "
                    + SimulationWorkers.MAX_DEVICES_PER_WORKER + " devices per worker: for " + devices + " devices use --workers "
                    + Math.max(1, (devices + SimulationWorkers.MAX_DEVICES_PER_WORKER - 1) / SimulationWorkers.MAX_DEVICES_PER_WORKER));
        }
        if (workers > 1 && hold) {
            throw new ParameterException(spec.commandLine(), "--hold is for one process; with --workers stop with Ctrl-C");
        }
        if (expect != null) {
            int colon = expect.lastIndexOf(':');
            String stageName = colon < 0 ? "" : expect.substring(colon + 1);
            if (colon < 1 || java.util.Arrays.stream(Stage.values()).noneMatch(st -> st.name().equals(stageName))
                    || stageName.equals("UNRECOGNIZED") || stageName.startsWith("STAGE_UNSPECIFIED")) {
                throw new ParameterException(spec.commandLine(), "--expect wants EVENT:STAGE with STAGE one of SCHEDULED, "
                        + "PREFETCH, PRE_SHOW, LIVE, ENDED, CANCELLED, got '" + expect + "'");
            }
            if (expectTimeout.isNegative() || expectTimeout.isZero()) {
                throw new ParameterException(spec.commandLine(), "--timeout must be positive");
            }
        }
        if (watchSeqs.stream().anyMatch(seq -> seq < 1)) {
            throw new ParameterException(spec.commandLine(), "--watch-seq values must be at least 1 (seq 1 is an event's first stage change)");
        }
        if ((reportLatencies || hold) && watch == null) {
            throw new ParameterException(spec.commandLine(), "--report-latencies and --hold need --watch EVENT");
        }
        if (segment.isBlank()) {
            throw new ParameterException(spec.commandLine(), "--segment must not be blank");
        }
        if (accounts < 0) {
            throw new ParameterException(spec.commandLine(), "--accounts must not be negative, got " + accounts);
        }
        for (URI gateway : gateways) {
            boolean webSocket = "ws".equalsIgnoreCase(gateway.getScheme()) || "wss".equalsIgnoreCase(gateway.getScheme());
            if (!webSocket || gateway.getHost() == null || gateway.getPort() < 0) {
                throw new ParameterException(spec.commandLine(), "--gateway wants ws://HOST:PORT[/path] or wss://HOST:PORT[/path], got '"
                        + gateway + "'");
            }
        }
        if (bundleApi != null && (!("http".equalsIgnoreCase(bundleApi.getScheme()) || "https".equalsIgnoreCase(bundleApi.getScheme()))
                || bundleApi.getHost() == null || bundleApi.getPort() < 0)) {
            throw new ParameterException(spec.commandLine(), "--bundle-api wants http://HOST:PORT[/path] or https://HOST:PORT[/path], got '"
                    + bundleApi + "'");
        }
        List<InetAddress> sources = new ArrayList<>();
        for (String address : sourceAddresses) {
            String a = address.trim();
            if (!a.matches("[0-9.]+|[0-9a-fA-F:]+")) {
                throw new ParameterException(spec.commandLine(), "--source-addresses wants IP addresses, got '" + a + "'");
            }
            try {
                sources.add(InetAddress.getByName(a));
            } catch (UnknownHostException e) {
                throw new ParameterException(spec.commandLine(), "--source-addresses: not an IP address: '" + a + "'");
            }
        }
        int perAddress = (devices + Math.max(1, sources.size()) - 1) / Math.max(1, sources.size());
        // With --workers and no addresses, the workers get their own (see runWorkers).
        if (perAddress > SOCKETS_PER_SOURCE_ADDRESS && (workers == 1 || !sources.isEmpty())) {
            spec.commandLine().getErr().printf("kickoff: warning: %,d devices per source address; more than ~%,d connect "
                    + "slowly from one address: add --source-addresses%n", perAddress, SOCKETS_PER_SOURCE_ADDRESS);
            spec.commandLine().getErr().flush();
        }
        return sources;
    }

    /** The account of device {@code index} among {@code accounts} ({@code ""} for none): several devices share one. */
    static String accountOf(int index, int accounts) {
        return accounts == 0 ? "" : "acct-" + (index % accounts);
    }

    /**
     * Device {@code index}'s token, signed when it connects (and reconnects), valid for {@code ttl} from then: for its
     * own id in {@code segment} and, with {@code accounts > 0}, in account {@link #accountOf}.
     */
    static IntFunction<String> deviceTokens(String prefix, String segment, DeviceTokens signer, Duration ttl, int accounts) {
        return i -> signer.issue(new DeviceClaims(prefix + i, segment, Instant.now().plus(ttl), accountOf(i, accounts)));
    }

    /** Waits for every device's first welcome; devices refused with a retryable status keep trying meanwhile. */
    private boolean connect(DeviceFleet fleet, SimulationReport report, PrintWriter out) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + connectTimeout.toNanos();
        CompletableFuture<Void> all = fleet.connectAll();
        CompletableFuture<DeviceConnectException> refused = new CompletableFuture<>();
        all.whenComplete((done, failure) -> fatalRefusal(failure).ifPresent(refused::complete));
        CompletableFuture<Object> settled = CompletableFuture.anyOf(fleet.whenAllWelcomed(), refused, stop.requested());
        // Wakes only to print progress: welcomes, a fatal refusal and a stop each complete a future.
        while (!settled.isDone() && deadline - System.nanoTime() > 0) {
            if (!awaitAtMost(settled, Math.min(PROGRESS_MILLIS * 1_000_000L, deadline - System.nanoTime()))) {
                out.println(progress(fleet).line("connecting", devices));
                out.flush();
                report.progress(fleet);
            }
        }
        if (refused.isDone()) {
            DeviceConnectException refusal = refused.join();
            String why = refusal.getMessage() + (refusal.httpStatus().orElse(0) == 401
                    ? " (is --token-secret the gateways' secret?)" : "");
            spec.commandLine().getErr().println("kickoff: devices are refused and will not retry: " + why);
            spec.commandLine().getErr().flush();
            report.fatal(why);
            if (fleet.welcomedCount() == 0) {
                return false;
            }
        }
        long millis = (System.nanoTime() - start) / 1_000_000L;
        int welcomed = fleet.welcomedCount();
        int expected = fleet.reachableCount(); // silent devices never get a welcome
        out.printf("connected %,d/%,d devices in %,d ms%s%n", welcomed, expected, millis,
                welcomed == expected ? "" : " (not all within " + connectTimeout + ")");
        out.flush();
        report.connected(fleet, millis);
        return welcomed == expected;
    }

    private static ConnectProgress progress(DeviceFleet fleet) {
        return new ConnectProgress(fleet.welcomedCount(), fleet.connectedCount(),
                fleet.deviceCount() - fleet.connectedCount(), fleet.failuresByCause(), fleet.reconnects());
    }

    /**
     * Waits up to --timeout for every device to show the expected stage of the event, saying each second how many
     * do; true if all did.
     */
    private boolean expectStage(DeviceFleet fleet, PrintWriter out) throws InterruptedException {
        String event = expect.substring(0, expect.lastIndexOf(':'));
        Stage stage = Stage.valueOf(expect.substring(expect.lastIndexOf(':') + 1));
        long deadline = System.nanoTime() + expectTimeout.toNanos();
        long at;
        while ((at = fleet.countDevices(view -> view.stage(event).orElse(null) == stage)) < devices
                && deadline - System.nanoTime() > 0 && !stop.isRequested()) {
            out.printf("expecting %s %s: %,d/%,d devices%n", event, stage, at, devices);
            out.flush();
            awaitAtMost(stop.requested(), Math.min(PROGRESS_MILLIS * 1_000_000L, deadline - System.nanoTime()));
        }
        if (at == devices) {
            out.printf("expected %s %s: all %,d devices show it%n", event, stage, devices);
            out.flush();
            return true;
        }
        spec.commandLine().getErr().printf("kickoff: %,d of %,d devices do not show %s %s after %s%n", devices - at,
                devices, event, stage, Durations.format(expectTimeout));
        spec.commandLine().getErr().flush();
        return false;
    }

    /** --workers: the devices over child processes of this command, supervised by {@link SimulationWorkers}. */
    private int runWorkers(List<InetAddress> sources) throws InterruptedException, java.io.IOException {
        String prefix = idPrefix != null ? idPrefix : "sim-" + ProcessHandle.current().pid() + "-";
        List<InetAddress> spread = sources;
        if (spread.isEmpty() && gateways.stream().allMatch(SimulateCommand::isLoopback)) {
            spread = new ArrayList<>();
            int needed = Math.max(workers, (devices + SOCKETS_PER_SOURCE_ADDRESS - 1) / SOCKETS_PER_SOURCE_ADDRESS);
            for (int i = 0; i < needed; i++) {
                spread.add(InetAddress.getByAddress(new byte[] {127, 0, (byte) (1 + i / 250), (byte) (2 + i % 250)}));
            }
        }
        ByteSize heap = workerHeap != null ? workerHeap : new ByteSize((4L << 30) / workers >> 20 << 20);
        java.nio.file.Path workDir = java.nio.file.Files.createTempDirectory("kickoff-simulate-");
        SimulationWorkers.Plan plan = new SimulationWorkers.Plan(workers, devices, prefix, spread, heap, workDir,
                reportJson, SimulationWorkers.passThrough(spec.commandLine().getParseResult().originalArgs()));
        stop.install();
        try {
            return new SimulationWorkers(plan, spec.commandLine().getOut(), spec.commandLine().getErr()).run(stop);
        } finally {
            stop.finished();
        }
    }

    private static boolean isLoopback(URI gateway) {
        try {
            return InetAddress.getByName(gateway.getHost()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** A refusal that retrying cannot fix (4xx other than 408/429), which ends connecting at once. */
    private static Optional<DeviceConnectException> fatalRefusal(Throwable failure) {
        Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
        if (cause instanceof DeviceConnectException refused && refused.httpStatus().isPresent()) {
            int status = refused.httpStatus().getAsInt();
            if (status >= 400 && status < 500 && status != 408 && status != 429) {
                return Optional.of(refused);
            }
        }
        return Optional.empty();
    }

    /** Waits for the future for at most {@code nanos}; true if it completed (normally or not). */
    private static boolean awaitAtMost(CompletableFuture<?> future, long nanos) throws InterruptedException {
        try {
            future.get(Math.max(0, nanos), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            // the caller reads what happened from the futures themselves
        }
        return true;
    }

    /**
     * Waits for the first device to receive seq (or a later one), then for all of them within the
     * watch timeout. Null if stopped before the update appeared; fails with a hint if it does not appear within
     * {@code --watch-start-timeout}, saying every {@value #STILL_WAITING_SECONDS} s meanwhile that it is still waiting.
     */
    private SimulatorReport watchSeq(DeviceFleet fleet, long seq, SimulationReport report, PrintWriter out)
            throws InterruptedException {
        out.printf("watching %s: waiting for seq %d (at most %s)%n", watch, seq, Durations.format(watchStartTimeout));
        out.flush();
        CompletableFuture<Void> first = fleet.whenReached(watch, seq, 1);
        CompletableFuture<Object> started = CompletableFuture.anyOf(first, stop.requested());
        long start = System.nanoTime();
        long deadline = start + watchStartTimeout.toNanos();
        while (!started.isDone() && deadline - System.nanoTime() > 0) {
            if (!awaitAtMost(started, Math.min(STILL_WAITING_SECONDS * 1_000_000_000L, deadline - System.nanoTime()))) {
                out.printf("watching %s: still waiting for seq %d after %s (%,d devices connected)%n", watch, seq,
                        Durations.format(Duration.ofSeconds((System.nanoTime() - start) / 1_000_000_000L)),
                        fleet.connectedCount());
                out.flush();
            }
        }
        if (!first.isDone()) {
            first.cancel(false);
            if (stop.isRequested()) {
                return null;
            }
            String why = "no device received " + watch + " seq " + seq + " within " + Durations.format(watchStartTimeout)
                    + ": does the event exist and has it reached that stage change (GET /v1/events/" + watch
                    + " on the admin API), and does its audience include segment " + segment + "?";
            report.fatal(why);
            report.done(fleet, false);
            throw new IllegalStateException(why);
        }
        // Devices timestamp receipts themselves: when the wait ends does not skew the figures.
        CompletableFuture<Void> everyone = fleet.whenReached(watch, seq, fleet.reachableCount()); // silent devices never get it
        awaitAtMost(CompletableFuture.anyOf(everyone, stop.requested()), watchTimeout.toNanos());
        everyone.cancel(false);
        SimulatorReport figures = fleet.report(watch, seq);
        out.println(figures);
        out.flush();
        return figures;
    }

}
