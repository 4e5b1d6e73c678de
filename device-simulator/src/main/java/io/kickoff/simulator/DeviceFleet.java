package io.kickoff.simulator;

import io.kickoff.protocol.v1.Stage;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Many simulated devices sharing one event loop group: the stand-in for a crowd of phones and TVs
 * in tests, benchmarks and the CLI. Open it, {@link #connectAll()}, drive the platform, then ask how
 * many devices applied what and how fast.
 *
 * <p>Queries read immutable per-device snapshots and may be called from any thread, but not from a
 * Netty event loop of this fleet (they walk every device).
 */
public final class DeviceFleet implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeviceFleet.class);
    private static final long SHUTDOWN_TIMEOUT_SECONDS = 10;

    private final FleetConfig config;
    private final EventLoopGroup group;
    private final FleetContext context;
    private final List<SimulatedDevice> devices;
    private final AtomicBoolean connectStarted = new AtomicBoolean();
    /** Waits of {@link #whenReached} still pending, failed when the fleet closes. */
    private final ConcurrentLinkedQueue<CompletableFuture<Void>> reachedWaits = new ConcurrentLinkedQueue<>();
    /** Confirms a reached count off the event loops: the scan walks every device. */
    private final Executor confirmer = ForkJoinPool.commonPool();

    private DeviceFleet(FleetConfig config) {
        this.config = config;
        IoTransport transport = IoTransport.best();
        this.group = new MultiThreadIoEventLoopGroup(config.ioThreads(), new DefaultThreadFactory("kickoff-device"),
                transport.ioHandlerFactory());
        try {
            DeviceDialer dialer = new DeviceDialer(config, group, transport);
            ConnectPacer pacer = new ConnectPacer(group.next(), config.maxConcurrentConnects(),
                    config.connectsPerSecond());
            this.context = new FleetContext(config, dialer, pacer, new ConnectAllTracker(config.devicesExpectedToWelcome()));
            List<SimulatedDevice> all = new ArrayList<>(config.devices());
            for (int i = 0; i < config.devices(); i++) {
                all.add(new SimulatedDevice(context, i, config.deviceIds().apply(i), group.next()));
            }
            this.devices = Collections.unmodifiableList(all);
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
        log.info("device fleet of {} devices for {} over {} ({})", config.devices(), config.gateways(),
                transport.name(), config.wireFormat().subprotocol());
    }

    /** Creates the fleet and its event loops; no device connects before {@link #connectAll()}. */
    public static DeviceFleet open(FleetConfig config) {
        return new DeviceFleet(config);
    }

    public FleetConfig config() {
        return config;
    }

    /**
     * Starts every device connecting, paced by the config, and completes when each has received its
     * first welcome (snapshot applied). Fails with a {@link DeviceConnectException} as soon as any
     * device's attempt ends before its first welcome (e.g. HTTP 401 or 503); the other devices keep
     * going and follow their reconnect policy. Calling it again returns the same future.
     * {@link Misbehaviour#SILENT} devices never get a welcome: they are not waited for.
     */
    public CompletableFuture<Void> connectAll() {
        if (context.isClosing()) {
            return CompletableFuture.failedFuture(new IllegalStateException("fleet is closed"));
        }
        if (connectStarted.compareAndSet(false, true)) {
            context.pacer.submitAll(devices);
        }
        return context.connectAll.future();
    }

    /**
     * Completes when every device has received its first welcome, however many attempts that took:
     * unlike {@link #connectAll()}, a device's failed attempt does not fail it. Fails only if the
     * fleet closes first. Call {@link #connectAll()} to start connecting.
     * {@link Misbehaviour#SILENT} devices are not waited for; reconnect-storm devices start storming once it completes.
     */
    public CompletableFuture<Void> whenAllWelcomed() {
        return context.connectAll.everyWelcomed();
    }

    /**
     * Completes (off the event loops) once at least {@code devices} devices have applied {@code seq}
     * of the event or a later one, counted exactly; fails if the fleet closes first. Devices report
     * as they apply updates, so waiting costs nothing while the update lands.
     */
    public CompletableFuture<Void> whenReached(String eventId, long seq, long devices) {
        CompletableFuture<Void> reached = new CompletableFuture<>();
        reachedWaits.add(reached);
        reached.whenComplete((v, e) -> reachedWaits.remove(reached));
        awaitReached(eventId, seq, devices, reached);
        if (context.isClosing()) {
            reached.completeExceptionally(new IllegalStateException("fleet is closed"));
        }
        return reached;
    }

    private void awaitReached(String eventId, long seq, long devices, CompletableFuture<Void> reached) {
        context.progress.onReached(eventId, seq, devices, () -> confirmer.execute(() -> {
            if (reached.isDone()) {
                return;
            }
            // The running tally may count a device in motion twice: one scan settles it.
            if (countDevices(view -> view.appliedSeq(eventId) >= seq) >= devices) {
                reached.complete(null);
            } else {
                awaitReached(eventId, seq, devices, reached);
            }
        }));
    }

    /**
     * Completes (off the event loops) once at least {@code devices} devices hold a bundle of the event,
     * pushed by the gateway or fetched from the bundle API, whichever version; fails if the fleet closes
     * first. A device whose storage is cleared ({@link #forgetBundles}) stops counting until it receives
     * one again. Counted as devices receive bundles, so waiting costs nothing.
     */
    public CompletableFuture<Void> whenHoldingBundle(String eventId, long devices) {
        if (context.isClosing()) {
            return CompletableFuture.failedFuture(new IllegalStateException("fleet is closed"));
        }
        CompletableFuture<Void> holding = context.holdings.whenHolding(eventId, devices);
        if (context.isClosing()) {
            context.holdings.fleetClosed();
        }
        return holding;
    }

    /** Devices that hold a bundle of the event right now (exact). */
    public long holdingBundle(String eventId) {
        return context.holdings.holding(eventId);
    }

    public int deviceCount() {
        return devices.size();
    }

    /**
     * Devices that can receive updates: all but {@link Misbehaviour#SILENT} ones, which never say hello.
     * What "every device" means for {@link #whenReached} callers and in {@link #report}.
     */
    public int reachableCount() {
        return config.devicesExpectedToWelcome();
    }

    /** Devices that hold an open WebSocket right now. */
    public int connectedCount() {
        return (int) countDevices(DeviceView::connected);
    }

    /** Failed connection attempts so far, by cause: an HTTP status ({@code 503}), {@code refused}, {@code timeout} or {@code closed}. */
    public java.util.Map<String, Long> failuresByCause() {
        return context.outcomes.failures();
    }

    /** Reconnects so far of devices that had been welcomed before (a drop, a go-away, a restart). */
    public long reconnects() {
        return context.outcomes.reconnects();
    }

    /** Devices that have received at least one welcome since the fleet opened. */
    public int welcomedCount() {
        return context.connectAll.welcomedCount();
    }

    public long countDevices(Predicate<? super DeviceView> predicate) {
        long count = 0;
        for (SimulatedDevice device : devices) {
            if (predicate.test(device.view())) {
                count++;
            }
        }
        return count;
    }

    /**
     * Devices that have applied {@code seq} of the event or a later one; counted as they apply
     * updates, so it is cheap to poll while a broadcast is landing. While devices are applying, it
     * may be off by those few; {@link #countDevices} is the exact (and costly) scan.
     */
    public long reached(String eventId, long seq) {
        return context.progress.reached(eventId, seq);
    }

    /**
     * Device {@code index} drops every bundle it holds, as an app whose storage was cleared: the next
     * update naming a bundle makes it fetch that bundle as critical. Completes once done (on the device's loop).
     */
    public CompletableFuture<Void> forgetBundles(int index) {
        return devices.get(index).forgetBundles();
    }

    /** Critical bundle fetches made by the whole fleet: updates that named a bundle a device did not hold. */
    public long criticalBundleFetches() {
        long fetches = 0;
        for (SimulatedDevice device : devices) {
            fetches += device.view().criticalBundleFetches();
        }
        return fetches;
    }

    /** Bundle cache hits, misses, 304s and failed fetches of the whole fleet so far. */
    /** Viewing signals the fleet's players sent in {@code state} (see {@link PlayPlan}). */
    public long viewingSignalsSent(io.kickoff.protocol.v1.PlaybackState state) {
        return context.counters.viewingSentCount(state);
    }

    public BundleCacheFigures bundleCache() {
        return context.counters.bundleCache();
    }

    /**
     * What each kind of device saw so far, well-behaved first, then each misbehaviour the fleet plays:
     * close codes, refusal statuses, storm reconnects, welcomes.
     */
    public Map<String, DeviceOutcomes> outcomes() {
        return context.counters.outcomes(config.misbehaviours(), config.devices());
    }

    /** Devices whose current position for the event is exactly this stage and seq. */
    public long countAt(String eventId, Stage stage, long seq) {
        return countDevices(view -> view.isAt(eventId, stage, seq));
    }

    /** A snapshot of every device, in index order. */
    public List<DeviceView> devices() {
        List<DeviceView> views = new ArrayList<>(devices.size());
        for (SimulatedDevice device : devices) {
            views.add(device.view());
        }
        return views;
    }

    public DeviceView device(int index) {
        return devices.get(index).view();
    }

    /**
     * Delivery figures for one update: who applied it, who is at or past it, issue-to-receipt latency,
     * and the time from issue until every device of the fleet had reached it.
     * {@link Misbehaviour#SILENT} devices are left out: they never receive updates. Latencies of
     * {@link Misbehaviour#CLOCK_SKEW} devices use their receipt times corrected by the welcome's server time.
     */
    public SimulatorReport report(String eventId, long seq) {
        LatencyHistogram.Recorder latencies = new LatencyHistogram.Recorder();
        int connected = 0;
        long applied = 0;
        long reached = 0;
        long duplicates = 0;
        long issuedAtMicros = 0;
        long lastReachedAtMicros = Long.MIN_VALUE;
        boolean anyLatency = false;
        for (SimulatedDevice device : devices) {
            DeviceView view = device.view();
            if (view.misbehaviour().orElse(null) == Misbehaviour.SILENT) {
                continue; // never says hello, so never receives an update: not part of the delivery
            }
            if (view.connected()) {
                connected++;
            }
            duplicates += view.duplicates();
            Optional<AppliedUpdate> first = view.firstAppliedAtOrAfter(eventId, seq);
            if (first.isPresent()) {
                reached++;
                lastReachedAtMicros = Math.max(lastReachedAtMicros, first.get().receivedAtMicros());
            }
            Optional<AppliedUpdate> update = view.applied(eventId, seq);
            if (update.isPresent()) {
                applied++;
                if (update.get().hasIssuedAt()) {
                    issuedAtMicros = update.get().issuedAtMicros();
                    latencies.record(update.get().latencyMicros());
                    anyLatency = true;
                }
            }
        }
        LatencyHistogram histogram = latencies.build();
        double timeToAllMillis = anyLatency && reached == reachableCount()
                ? Math.max(0, lastReachedAtMicros - issuedAtMicros) / 1000.0
                : Double.NaN;
        return new SimulatorReport(eventId, seq, reachableCount(), connected, applied, reached,
                histogram.percentileMillis(50).orElse(Double.NaN),
                histogram.percentileMillis(99).orElse(Double.NaN),
                histogram.maxMillis().orElse(Double.NaN),
                timeToAllMillis, duplicates, histogram);
    }

    /**
     * Closes every connection (with a WebSocket close frame where possible) and stops the event loops,
     * waiting for them unless called from one. Devices do not reconnect once closing has begun.
     */
    @Override
    public void close() {
        if (!context.markClosing()) {
            return;
        }
        context.connectAll.fleetClosed();
        context.progress.clearWaits();
        context.holdings.fleetClosed();
        for (CompletableFuture<Void> wait; (wait = reachedWaits.poll()) != null; ) {
            wait.completeExceptionally(new IllegalStateException("fleet closed"));
        }
        context.pacer.stop();
        for (SimulatedDevice device : devices) {
            device.stop();
        }
        Future<?> terminated = group.shutdownGracefully(0, SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        boolean onOwnLoop = false;
        for (var executor : group) {
            onOwnLoop |= executor.inEventLoop();
        }
        if (!onOwnLoop && !terminated.awaitUninterruptibly(SHUTDOWN_TIMEOUT_SECONDS + 1, TimeUnit.SECONDS)) {
            log.warn("device fleet event loops did not stop within {} s", SHUTDOWN_TIMEOUT_SECONDS);
        }
    }
}
