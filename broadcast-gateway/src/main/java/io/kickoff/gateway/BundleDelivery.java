package io.kickoff.gateway;

import io.netty.buffer.ByteBuf;
import com.google.protobuf.InvalidProtocolBufferException;
import io.kickoff.bus.BusRecord;
import io.kickoff.protocol.Stages;
import io.kickoff.protocol.v1.Bundle;
import io.kickoff.protocol.v1.StageUpdate;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers bundles from the bundles topic to connected devices of the bundle's segment, paced
 * over a window instead of one burst, and to devices greeted later.
 *
 * <p>A new bundle version is encoded once per wire format ({@link HeldBundle}, {@link WireFrames});
 * every device gets a view of those bytes. Each event loop spreads its own devices over
 * {@link GatewayConfig#bundlePushWindow()} in slices, one slice per tick, so that a new bundle
 * for millions of devices is a trickle per node rather than a spike of megabytes per loop.
 * What each device was sent is remembered per loop (a few references per device), so no device
 * is sent a version it already holds. A bundle may ask for part of the window
 * ({@code push_window_permille}, set by the prefetch service from its segment's expected audience):
 * its push is then cut into that part of the slices, so a small segment is done early while a large
 * one still takes the whole window; never more than the window.
 */
final class BundleDelivery implements BundleVersions {
    private static final Logger log = LoggerFactory.getLogger(BundleDelivery.class);
    /** Period of the pacing tick: a push over the window is window / tick slices. */
    static final Duration DEFAULT_TICK = Duration.ofMillis(100);

    private final SessionRegistry registry;
    private final GatewayMetrics metrics;
    private final Clock clock;
    private final Ticker ticker;
    private final long tickNanos;
    // Slices a push is cut into; 0: no pacing, everything at once.
    private final long ticksPerWindow;
    // Serialises the bus threads' changes (bundles topic vs stages topic); event loops only read.
    private final Object lock = new Object();
    // event id → segment → latest bundle.
    private final Map<String, Map<String, HeldBundle>> bundles = new ConcurrentHashMap<>();
    // Events that ended or were cancelled: a late bundle for them is not taken.
    private final Set<String> finished = ConcurrentHashMap.newKeySet();
    private final Map<EventLoop, LoopState> loops = new ConcurrentHashMap<>();
    private final LongAdder written = new LongAdder();
    private final LongAdder skipped = new LongAdder();

    public BundleDelivery(GatewayConfig config, SessionRegistry registry, GatewayMetrics metrics, Clock clock) {
        this(config, registry, metrics, clock, DEFAULT_TICK, Ticker.EVENT_LOOP);
        metrics.gauge("kickoff_gateway_bundles_held", "latest bundles held, one per event and segment", this::held);
        metrics.counter("kickoff_gateway_bundle_writes_skipped",
                "bundle writes skipped because the connection was unwritable (sent again at reconnect)", skipped, LongAdder::sum);
    }

    /** For tests: a pacing tick of {@code tick} driven by {@code ticker}. */
    BundleDelivery(GatewayConfig config, SessionRegistry registry, GatewayMetrics metrics, Clock clock,
                   Duration tick, Ticker ticker) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        if (tick.isNegative() || tick.isZero()) {
            throw new IllegalArgumentException("tick must be positive");
        }
        Duration window = config.bundlePushWindow();
        this.tickNanos = Math.min(tick.toNanos(), Math.max(1, window.toNanos()));
        this.ticksPerWindow = window.isZero() ? 0 : Math.max(1, window.toNanos() / tick.toNanos());
    }

    /** A record from {@code kickoff.bundles}; called on the bus thread, must not block. */
    public void onBundleRecord(BusRecord record) {
        if (record.value() == null) {
            dropTombstoned(record.key());
            return;
        }
        Bundle bundle;
        try {
            bundle = Bundle.parseFrom(record.value());
        } catch (InvalidProtocolBufferException e) {
            log.warn("skipping unreadable bundle record key={} offset={}: {}", record.key(), record.offset(), e.getMessage());
            return;
        }
        if (bundle.getEventId().isEmpty() || bundle.getSegment().isEmpty() || bundle.getVersion().isEmpty()) {
            log.warn("skipping bundle record key={} offset={}: event id, segment and version are required",
                    record.key(), record.offset());
            return;
        }
        if (bundle.hasExpiresAt() && isExpired(bundle.getExpiresAt().getSeconds())) {
            log.debug("skipping expired bundle {}/{} {}", bundle.getEventId(), bundle.getSegment(), bundle.getVersion());
            return;
        }
        if (finished.contains(bundle.getEventId())) {
            return;
        }
        HeldBundle current = held(bundle.getEventId(), bundle.getSegment());
        if (current != null && current.version.equals(bundle.getVersion())) {
            return; // fast path for a replayed record; checked again under the lock
        }
        // Encoded outside the lock: JSON of a big bundle is not free.
        HeldBundle fresh = new HeldBundle(bundle);
        boolean taken = false;
        try {
            synchronized (lock) {
                if (finished.contains(fresh.eventId)) {
                    return;
                }
                Map<String, HeldBundle> bySegment = bundles.computeIfAbsent(fresh.eventId, e -> new ConcurrentHashMap<>());
                HeldBundle old = bySegment.get(fresh.segment);
                if (old != null && old.version.equals(fresh.version)) {
                    return;
                }
                bySegment.put(fresh.segment, fresh);
                taken = true;
                if (old != null) {
                    old.release();
                }
                push(fresh);
            }
        } finally {
            if (!taken) {
                fresh.release();
            }
        }
        log.info("bundle {}/{} version {} taken, pushing over {} ms", fresh.eventId, fresh.segment, fresh.version,
                TimeUnit.NANOSECONDS.toMillis(tickNanos * ticksFor(fresh.pushWindowPermille)));
    }

    /** The event's stage changed; bundles of events that ended or were cancelled are dropped. */
    public void stageChanged(StageUpdate update) {
        if (!Stages.isFinal(update.getStage())) {
            return;
        }
        String eventId = update.getEventId();
        synchronized (lock) {
            finished.add(eventId);
            Map<String, HeldBundle> dropped = bundles.remove(eventId);
            if (dropped == null) {
                return;
            }
            dropped.values().forEach(HeldBundle::release);
            for (LoopState state : loops.values()) {
                onLoop(state.loop, () -> state.forgetEvent(eventId));
            }
        }
        log.info("bundles of {} dropped: event {}", eventId, update.getStage());
    }

    /** The device was just greeted (on its event loop); {@code held}: event id → bundle version it has. */
    public void welcomed(DeviceSession session, Map<String, String> held) {
        if (bundles.isEmpty()) {
            return;
        }
        Channel channel = session.channel();
        LoopState state = state(channel.eventLoop());
        String segment = session.segment();
        int wrote = 0;
        int unwritable = 0;
        for (Map<String, HeldBundle> bySegment : bundles.values()) {
            HeldBundle bundle = bySegment.get(segment);
            if (bundle == null) {
                continue;
            }
            if (bundle.version.equals(held.get(bundle.eventId))) {
                // Remembered so that a push of this version still under way skips the device.
                state.markSent(session, bundle.eventId, bundle.version);
                continue;
            }
            if (bundle.expiresAtSeconds != 0 && isExpired(bundle.expiresAtSeconds)) {
                continue;
            }
            if (!channel.isWritable()) {
                unwritable++;
                continue;
            }
            ByteBuf frame = bundle.retainedFrame(session.format());
            if (frame == null) {
                continue; // replaced or dropped this instant: the push of the newer one reaches the device
            }
            state.markSent(session, bundle.eventId, bundle.version);
            channel.write(frame, channel.voidPromise());
            wrote++;
        }
        if (wrote > 0) {
            channel.flush();
        }
        counted(wrote, unwritable);
    }

    /**
     * Gives back the bytes of every bundle held (off-heap, freed only by release): the gateway is
     * stopping. Devices greeted afterwards get none.
     */
    public void close() {
        synchronized (lock) {
            for (Map<String, HeldBundle> bySegment : bundles.values()) {
                bySegment.values().forEach(HeldBundle::release);
            }
            bundles.clear();
        }
    }

    @Override
    public Map<String, String> versions(String eventId) {
        Map<String, HeldBundle> bySegment = bundles.get(eventId);
        if (bySegment == null) {
            return Map.of();
        }
        Map<String, String> versions = new java.util.HashMap<>();
        bySegment.forEach((segment, held) -> versions.put(segment, held.version));
        return versions;
    }

    @Override
    public String version(String eventId, String segment) {
        HeldBundle held = held(eventId, segment);
        return held == null ? "" : held.version;
    }

    /** The latest bundle held for an event and segment. */
    public Optional<Bundle> bundle(String eventId, String segment) {
        return Optional.ofNullable(held(eventId, segment)).map(h -> h.bundle);
    }

    /** Bundles held, one per (event, segment). */
    public int held() {
        int n = 0;
        for (Map<String, HeldBundle> bySegment : bundles.values()) {
            n += bySegment.size();
        }
        return n;
    }

    /** Bundle frames written since start (pushes and welcomes). */
    public long written() {
        return written.sum();
    }

    /** Bundle writes skipped because the connection was unwritable; those devices get it at reconnect. */
    public long skippedUnwritable() {
        return skipped.sum();
    }

    // ---- internals ----

    private HeldBundle held(String eventId, String segment) {
        Map<String, HeldBundle> bySegment = bundles.get(eventId);
        return bySegment == null ? null : bySegment.get(segment);
    }

    private boolean isExpired(long expiresAtSeconds) {
        return expiresAtSeconds <= clock.instant().getEpochSecond();
    }

    private void dropTombstoned(String key) {
        int colon = key == null ? -1 : key.indexOf(':');
        if (colon <= 0) {
            log.warn("skipping bundle tombstone with unreadable key {}", key);
            return;
        }
        String eventId = key.substring(0, colon);
        String segment = key.substring(colon + 1);
        synchronized (lock) {
            Map<String, HeldBundle> bySegment = bundles.get(eventId);
            HeldBundle removed = bySegment == null ? null : bySegment.remove(segment);
            if (removed != null) {
                removed.release();
            }
        }
    }

    /** Starts the paced push of a new version on every loop with devices. Caller holds the lock. */
    private void push(HeldBundle bundle) {
        for (SessionRegistry.LoopSessions group : registry.loops()) {
            // The map holds the bundle (we are under the lock), so retaining cannot race a release.
            WireFrames frames = bundle.retainedFrames();
            if (frames == null) {
                return;
            }
            LoopState state = state(group.loop());
            if (!onLoop(group.loop(), () -> state.startPush(group, bundle, frames))) {
                frames.release();
            }
        }
    }

    private static boolean onLoop(EventLoop loop, Runnable task) {
        try {
            loop.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            log.debug("event loop {} shut down; bundle task dropped", loop);
            return false;
        }
    }

    private LoopState state(EventLoop loop) {
        LoopState state = loops.get(loop);
        return state != null ? state : loops.computeIfAbsent(loop, l -> new LoopState(l, this));
    }

    void counted(int wrote, int unwritable) {
        if (wrote > 0) {
            written.add(wrote);
            metrics.bundlesWritten(wrote);
        }
        if (unwritable > 0) {
            skipped.add(unwritable);
        }
    }

    Ticker ticker() {
        return ticker;
    }

    long tickNanos() {
        return tickNanos;
    }

    /** Devices in a slice of a push of {@code targets} devices over {@code permille} thousandths of the window (0: all). */
    int sliceOf(int targets, int permille) {
        long ticks = ticksFor(permille);
        if (ticks == 0) {
            return targets;
        }
        return (int) Math.max(1, (targets + ticks - 1) / ticks);
    }

    /** Slices of a push over {@code permille} thousandths of the window (0 or 1000 and above: all of it). */
    private long ticksFor(int permille) {
        if (ticksPerWindow == 0 || permille <= 0 || permille >= 1000) {
            return ticksPerWindow;
        }
        return Math.max(1, ticksPerWindow * permille / 1000);
    }

    /** Devices whose sent versions a loop remembers; for tests. */
    int trackedDevices(EventLoop loop) {
        LoopState state = loops.get(loop);
        return state == null ? 0 : state.trackedDevices();
    }

    /** Pushes under way on a loop; for tests. */
    int pushesUnderWay(EventLoop loop) {
        LoopState state = loops.get(loop);
        return state == null ? 0 : state.pushes.size();
    }

    /** Runs a paced push's tick on its loop every period; returns how to stop it. */
    @FunctionalInterface
    interface Ticker {
        Ticker EVENT_LOOP = (loop, periodNanos, tick) -> {
            var future = loop.scheduleAtFixedRate(tick, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
            return () -> future.cancel(false);
        };

        Runnable every(EventLoop loop, long periodNanos, Runnable tick);
    }
}
