package io.kickoff.simulator;

import io.kickoff.protocol.v1.Ack;
import io.kickoff.protocol.v1.ClientFrame;
import io.kickoff.protocol.Stages;
import io.kickoff.protocol.v1.Hello;
import io.kickoff.protocol.v1.PlaybackState;
import io.kickoff.protocol.v1.ReconnectPolicy;
import io.kickoff.protocol.v1.ServerFrame;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.StageUpdate;
import io.kickoff.protocol.v1.Viewing;
import io.kickoff.protocol.v1.Welcome;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One device with the behaviour the delivery guarantee relies on: resume with its positions in
 * every hello, apply an update only if its seq is newer, ack every update it receives (ack means
 * "I have it"; a fleet configured with {@link FleetConfig#ackUpdates()} false never acks), obey
 * go-away (reconnecting to another gateway of the fleet, picked at random), and reconnect with
 * full-jitter backoff after anything else (to the next gateway of the list). A device the fleet's
 * {@link PlayPlan} names a player starts playing an event once it learns it is LIVE: it sends viewing
 * signals (PLAYING, a heartbeat at the welcome's interval while it plays, STOPPED when the event ends).
 *
 * <p>A device is pinned to one event loop for its whole life, across reconnects, so its state needs
 * no locks; readers on other threads see it through the immutable {@link DeviceView}.
 */
final class SimulatedDevice {
    private static final Logger log = LoggerFactory.getLogger(SimulatedDevice.class);
    private static final String CLIENT_VERSION = "kickoff-device-simulator/1";
    /** How long after a welcome its snapshot's bundles may take to arrive before they are fetched. */
    static final long WELCOME_BUNDLES_GRACE_MILLIS = 1_000;

    private final FleetContext fleet;
    private final int index;
    private final EventLoop loop;
    private volatile DeviceView view;

    // Touched only on loop.
    private DeviceConnection current;
    // Index of the gateway the next attempt dials.
    private int gateway;
    private int failuresSinceWelcome;
    private long backoffBaseMillis;
    private long backoffMaxMillis;
    private boolean everWelcomed;
    private boolean stopped;
    private ScheduledFuture<?> pendingReconnect;
    /** Empty: the device behaves. */
    private final Optional<Misbehaviour> misbehaviour;
    /** How far this device's clock is off (non-zero only for clock-skew devices). */
    private final long clockSkewMicros;
    /** Server time minus the device's clock, estimated from the last welcome; 0 when not skewed. */
    private long clockCorrectionMicros;
    /** Set once the fleet is connected, for a reconnect-storm device: from then on it drops every session. */
    private boolean storming;
    /** Whether the fleet's play plan makes this device play events that go LIVE. */
    private final boolean player;
    /** Events this device plays (or is about to), by event id; null until the first. */
    private Map<String, Playback> playing;
    /** How often to repeat PLAYING, as the last welcome said. */
    private long viewingHeartbeatMillis = PlayPlan.DEFAULT_HEARTBEAT.toMillis();
    private int playbacks;

    /** One playback of one event: started after the plan's delay, then a heartbeat per interval until the event ends. */
    private static final class Playback {
        final String sessionId;
        boolean started;
        long startedAtMillis;
        ScheduledFuture<?> next;

        Playback(String sessionId) {
            this.sessionId = sessionId;
        }
    }

    SimulatedDevice(FleetContext fleet, int index, String deviceId, EventLoop loop) {
        this.fleet = fleet;
        this.index = index;
        this.loop = loop;
        this.misbehaviour = fleet.config.misbehaviourOf(index);
        this.clockSkewMicros = misbehaviour.orElse(null) == Misbehaviour.CLOCK_SKEW
                ? fleet.config.clockSkew().toNanos() / 1_000 : 0;
        this.view = DeviceView.initial(index, deviceId, misbehaviour);
        this.gateway = fleet.dialer.firstGateway(index);
        this.backoffBaseMillis = fleet.config.reconnectBaseDelay().toMillis();
        this.backoffMaxMillis = fleet.config.reconnectMaxDelay().toMillis();
        this.player = fleet.config.play().plays(index, fleet.config.devices());
    }

    int index() {
        return index;
    }

    Optional<Misbehaviour> misbehaviour() {
        return misbehaviour;
    }

    /** This device's own clock for its bundle cache, epoch milliseconds: off by the skew for a clock-skew device. */
    private long deviceClockMillis() {
        return fleet.config.cacheClock().millis() + clockSkewMicros / 1_000;
    }

    DeviceView view() {
        return view;
    }

    /** Called by the pacer once this device's attempt is admitted; it holds a pacer slot until welcome or failure. */
    void startAttempt() {
        onLoop(this::dial);
    }

    /** Drops every bundle the device holds, as an app whose storage was cleared. */
    java.util.concurrent.CompletableFuture<Void> forgetBundles() {
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        onLoop(() -> {
            bundles.forget().forEach(fleet.holdings::dropped);
            done.complete(null);
        });
        return done;
    }

    /** Ends the device: no reconnect, current connection closed. */
    void stop() {
        onLoop(() -> {
            stopped = true;
            if (pendingReconnect != null) {
                pendingReconnect.cancel(false);
            }
            if (playing != null) {
                playing.values().forEach(p -> {
                    if (p.next != null) {
                        p.next.cancel(false);
                    }
                });
                playing.clear();
            }
            if (current != null && current.connectFuture != null) {
                current.connectFuture.channel().close();
            }
        });
    }

    private void onLoop(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            // the fleet's loops are shutting down; there is nothing left to do
        }
    }

    private void dial() {
        if (stopped || fleet.isClosing()) {
            fleet.pacer.release();
            return;
        }
        DeviceConnection connection = new DeviceConnection(fleet.dialer.gateway(gateway), gateway);
        connection.holdsConnectPermit = true;
        current = connection;
        String token;
        try {
            token = fleet.config.tokens().apply(index);
        } catch (RuntimeException e) {
            connection.failure = e;
            onConnectionEnded(connection);
            return;
        }
        ChannelFuture connect = fleet.dialer.dial(this, connection, token, loop);
        connection.connectFuture = connect;
        // Fires once however the attempt ends: refused, failed upgrade, or a session that closed later.
        connect.channel().closeFuture().addListener(closed -> onConnectionEnded(connection));
    }

    // The bundles held; only touched on this device's event loop.
    private final BundleCache bundles = new BundleCache();
    // Events whose bundle is being fetched (or waits for its jitter), so that a burst of updates makes one request.
    private java.util.Set<String> fetching;

    void onHandshakeComplete(DeviceConnection connection, ChannelHandlerContext ctx) {
        connection.handshaken = true;
        view = view.withConnected(true);
        if (misbehaviour.orElse(null) == Misbehaviour.SILENT) {
            return; // never says hello: the gateway's hello timeout ends the session (1008)
        }
        Hello.Builder hello = Hello.newBuilder()
                .addAllCapabilities(fleet.config.capabilities())
                .setClientVersion(CLIENT_VERSION);
        for (Map.Entry<String, EventPosition> position : view.positions().entrySet()) {
            hello.putPositions(position.getKey(), position.getValue().seq());
        }
        hello.putAllBundleVersions(bundles.versions(deviceClockMillis()));
        ctx.writeAndFlush(ClientFrame.newBuilder().setHello(hello).build());
    }

    void onServerFrame(DeviceConnection connection, ChannelHandlerContext ctx, ServerFrame frame,
            long trueReceivedAtMicros, long receivedNanoTime) {
        // What the device's clock read on arrival; a skewed device corrects it by its estimate of the server's clock.
        long deviceReceivedAtMicros = trueReceivedAtMicros + clockSkewMicros;
        if (clockSkewMicros != 0 && frame.hasWelcome() && frame.getWelcome().hasServerTime()) {
            clockCorrectionMicros = Clocks.toEpochMicros(frame.getWelcome().getServerTime()) - deviceReceivedAtMicros;
        }
        long receivedAtMicros = deviceReceivedAtMicros + clockCorrectionMicros;
        switch (frame.getFrameCase()) {
            case WELCOME -> onWelcome(connection, ctx, frame.getWelcome(), receivedAtMicros, receivedNanoTime);
            case STAGE_UPDATE -> receive(ctx, frame.getStageUpdate(), false, receivedAtMicros, receivedNanoTime);
            case BUNDLE -> {
                if (bundles.hold(frame.getBundle())) {
                    fleet.holdings.held(frame.getBundle().getEventId());
                }
                view = view.withBundleReceived();
            }
            case GO_AWAY -> {
                connection.goAwayDelayMillis = Integer.toUnsignedLong(frame.getGoAway().getReconnectAfterMs());
                ctx.close();
            }
            case ERROR -> {
                view = view.withErrorReceived();
                log.debug("{} got error {}: {}", view.deviceId(), frame.getError().getCode(),
                        frame.getError().getMessage());
            }
            case PONG, FRAME_NOT_SET -> {
                // Pongs only prove liveness, which the heartbeat handler already noted.
            }
        }
    }

    void onUndecodableFrame(String reason) {
        view = view.withErrorReceived();
        log.debug("{} could not decode a server frame: {}", view.deviceId(), reason);
    }

    private void onWelcome(DeviceConnection connection, ChannelHandlerContext ctx, Welcome welcome,
            long receivedAtMicros, long receivedNanoTime) {
        if (welcome.hasReconnect()) {
            ReconnectPolicy policy = welcome.getReconnect();
            if (policy.getBaseDelayMs() > 0 && policy.getMaxDelayMs() >= policy.getBaseDelayMs()) {
                backoffBaseMillis = policy.getBaseDelayMs();
                backoffMaxMillis = policy.getMaxDelayMs();
            }
        }
        if (welcome.getViewingHeartbeatIntervalMs() > 0) {
            viewingHeartbeatMillis = Integer.toUnsignedLong(welcome.getViewingHeartbeatIntervalMs());
        }
        // Snapshot first, so a completed connectAll() implies every snapshot was applied.
        for (StageUpdate update : welcome.getSnapshotList()) {
            receive(ctx, update, true, receivedAtMicros, receivedNanoTime);
        }
        view = view.withWelcome();
        fleet.counters.welcomed(misbehaviour);
        failuresSinceWelcome = 0;
        if (!connection.welcomed) {
            connection.welcomed = true;
            releaseConnectPermit(connection);
        }
        if (!everWelcomed) {
            everWelcomed = true;
            fleet.connectAll.deviceWelcomedFirstTime();
        }
        misbehaveAfterWelcome(connection, ctx);
    }

    private void misbehaveAfterWelcome(DeviceConnection connection, ChannelHandlerContext ctx) {
        if (misbehaviour.isEmpty()) {
            return;
        }
        switch (misbehaviour.get()) {
            case SLOW_READER -> {
                // Stop reading; what the gateway writes piles up in its buffers until it gives up (4001).
                ctx.channel().config().setAutoRead(false);
                ctx.executor().schedule(() -> ctx.channel().config().setAutoRead(true),
                        fleet.config.slowReaderStall().toMillis(), TimeUnit.MILLISECONDS);
            }
            case GARBAGE -> {
                // Bytes that are no ClientFrame in either format; written below the protocol codec.
                byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, '{'};
                ctx.channel().writeAndFlush(fleet.config.wireFormat().isText()
                        ? new TextWebSocketFrame(Unpooled.wrappedBuffer(garbage))
                        : new BinaryWebSocketFrame(Unpooled.wrappedBuffer(garbage)));
            }
            case RECONNECT_STORM -> {
                if (storming) {
                    dropToStorm(connection, ctx);
                } else {
                    // Storm once the whole fleet is in, so the well-behaved devices are not kept out by it.
                    fleet.connectAll.everyWelcomed().thenRun(() -> onLoop(() -> {
                        storming = true;
                        if (current == connection) {
                            dropToStorm(connection, ctx);
                        }
                    }));
                }
            }
            case CLOCK_SKEW, SILENT -> {
                // Clock skew shows in receipt times only; a silent device never gets this far.
            }
        }
    }

    private void dropToStorm(DeviceConnection connection, ChannelHandlerContext ctx) {
        connection.droppedToStorm = true;
        fleet.counters.reconnected(misbehaviour);
        ctx.channel().close();
    }

    private void receive(ChannelHandlerContext ctx, StageUpdate update, boolean fromSnapshot,
            long receivedAtMicros, long receivedNanoTime) {
        String eventId = fleet.canonicalEventId(update.getEventId());
        long applied = view.appliedSeq(eventId);
        if (update.getSeq() > applied) {
            String bundleVersion = fleet.canonical(update.getBundleVersion());
            boolean held = !bundleVersion.isEmpty()
                    && bundles.lookup(eventId, bundleVersion, deviceClockMillis()) == BundleCache.Lookup.HIT;
            view = view.withApplied(new AppliedUpdate(eventId, update.getSeq(), update.getStage(),
                    Clocks.toEpochMicros(update.getIssuedAt()), receivedAtMicros, receivedNanoTime, fromSnapshot,
                    bundleVersion, held));
            fleet.progress.applied(eventId, applied, update.getSeq());
            play(eventId, update.getStage());
            if (fromSnapshot) {
                // The gateway sends the bundles this device lacks right after the welcome: look once they had time to land.
                expectAfterWelcome(eventId, update.getBundleVersion());
            } else {
                ensureBundle(eventId, update.getBundleVersion());
            }
        } else {
            view = view.withDuplicate();
        }
        if (!fleet.config.ackUpdates()) {
            return; // withholding acks on purpose: the gateway should send the update again
        }
        // Flushed by the session handler at the end of the read burst.
        ctx.write(ClientFrame.newBuilder()
                .setAck(Ack.newBuilder().setEventId(eventId).setSeq(update.getSeq()))
                .build());
    }

    /** A player starts playing an event that went LIVE (after the plan's delay) and stops when it ends. */
    private void play(String eventId, Stage stage) {
        if (!player) {
            return;
        }
        if (stage == Stage.LIVE && (playing == null || !playing.containsKey(eventId))) {
            if (playing == null) {
                playing = new HashMap<>(2);
            }
            Playback playback = new Playback(view.deviceId() + "-play-" + (++playbacks));
            playing.put(eventId, playback);
            playback.next = loop.schedule(() -> startPlaying(eventId, playback),
                    fleet.config.play().startDelayMillis(ThreadLocalRandom.current()), TimeUnit.MILLISECONDS);
        } else if (Stages.isFinal(stage) && playing != null) {
            Playback playback = playing.remove(eventId);
            if (playback == null) {
                return;
            }
            if (playback.next != null) {
                playback.next.cancel(false);
            }
            if (playback.started) {
                sendViewing(eventId, playback, PlaybackState.STOPPED);
            }
        }
    }

    private void startPlaying(String eventId, Playback playback) {
        if (stopped || playing == null || playing.get(eventId) != playback) {
            return;
        }
        playback.started = true;
        playback.startedAtMillis = System.currentTimeMillis();
        heartbeat(eventId, playback);
    }

    private void heartbeat(String eventId, Playback playback) {
        if (stopped || playing == null || playing.get(eventId) != playback) {
            return;
        }
        sendViewing(eventId, playback, PlaybackState.PLAYING);
        playback.next = loop.schedule(() -> heartbeat(eventId, playback), viewingHeartbeatMillis, TimeUnit.MILLISECONDS);
    }

    /** Sends a viewing signal on the current connection if it is welcomed; while disconnected the signal is lost, as on a real device. */
    private void sendViewing(String eventId, Playback playback, PlaybackState state) {
        DeviceConnection connection = current;
        if (connection == null || !connection.welcomed || connection.connectFuture == null
                || !connection.connectFuture.channel().isActive()) {
            return;
        }
        long position = Math.max(0, System.currentTimeMillis() - playback.startedAtMillis);
        connection.connectFuture.channel().writeAndFlush(ClientFrame.newBuilder().setViewing(Viewing.newBuilder()
                .setEventId(eventId).setState(state).setPositionMs(position).setSessionId(playback.sessionId)).build());
        fleet.counters.viewingSent(state);
    }

    private void expectAfterWelcome(String eventId, String version) {
        if (version.isEmpty()) {
            return;
        }
        loop.schedule(() -> ensureBundle(eventId, version), WELCOME_BUNDLES_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * The update names the bundle to render ({@code ""}: the segment has none, render the built-in
     * default). A hit renders at once. A miss (another version, none, or the very version past its
     * expiry or max-age) is fetched as {@code critical}, after a random wait within the miss jitter so
     * a broadcast does not make every device fetch at the same instant, revalidating with
     * {@code If-None-Match} when the device holds an older copy.
     */
    private void ensureBundle(String eventId, String version) {
        if (stopped || version.isEmpty()) {
            return;
        }
        BundleCache.Lookup lookup = bundles.lookup(eventId, version, deviceClockMillis());
        if (lookup == BundleCache.Lookup.HIT) {
            fleet.counters.hit();
            return;
        }
        fleet.counters.miss(lookup == BundleCache.Lookup.EXPIRED);
        view = view.withBundleMissing();
        if (fleet.bundles == null || (fetching != null && fetching.contains(eventId))) {
            return;
        }
        String token;
        try {
            token = fleet.config.tokens().apply(index);
        } catch (RuntimeException e) {
            token = null;
        }
        if (token == null) {
            return;
        }
        if (fetching == null) {
            fetching = new java.util.HashSet<>(2);
        }
        fetching.add(eventId);
        long jitterMillis = fleet.config.missJitter().toMillis();
        if (jitterMillis == 0) {
            fetch(eventId, token);
        } else {
            String fetchToken = token;
            loop.schedule(() -> fetch(eventId, fetchToken), ThreadLocalRandom.current().nextLong(jitterMillis + 1),
                    TimeUnit.MILLISECONDS);
        }
    }

    private void fetch(String eventId, String token) {
        if (stopped || fleet.isClosing()) {
            fetching.remove(eventId);
            return;
        }
        view = view.withCriticalFetch();
        fleet.bundles.fetchCritical(token, bundles.etagToRevalidate()).whenComplete((listing, error) -> onLoop(() -> {
            fetching.remove(eventId);
            if (error != null) {
                view = view.withFetchFailure();
                fleet.counters.fetchFailed();
                log.debug("{} could not fetch the bundle of {}: {}", view.deviceId(), eventId, error.toString());
                return;
            }
            if (listing instanceof BundleFetcher.Fetched fetched) {
                bundles.storeListing(fetched.bundles(), fetched.etag(), fetched.maxAgeSeconds(), deviceClockMillis())
                        .forEach(fleet.holdings::held);
                view = view.withBundlesFetched(fetched.bundles().size());
                fleet.counters.fetched();
            } else {
                bundles.revalidated(listing.maxAgeSeconds(), deviceClockMillis());
                fleet.counters.notModified();
            }
        }));
    }

    private void onConnectionEnded(DeviceConnection connection) {
        if (current == connection) {
            current = null;
        }
        if (connection.handshaken) {
            view = view.withConnected(false);
            if (!stopped && !fleet.isClosing()) {
                fleet.counters.closed(misbehaviour,
                        connection.closeCode != 0 ? connection.closeCode : CloseFrameObserver.ABNORMAL);
            }
        }
        releaseConnectPermit(connection);
        DeviceConnectException failure = null;
        if (!connection.welcomed) {
            failure = DeviceConnectException.of(view.deviceId(), connection.endpoint.uri(), failureCause(connection));
            view = view.withConnectFailure(failure.getMessage());
            fleet.outcomes.failed(failure);
            log.debug("connect attempt failed: {}", failure.getMessage());
            boolean retryAfter = failure.retryAfterMillis().isPresent();
            failure.httpStatus().ifPresent(status -> fleet.counters.refused(misbehaviour, status, retryAfter));
            // A silent device never gets a welcome, by design: it is not waited for.
            if (!everWelcomed && misbehaviour.orElse(null) != Misbehaviour.SILENT) {
                fleet.connectAll.deviceFailedBeforeFirstWelcome(failure);
            }
        }
        if (stopped || fleet.isClosing() || !fleet.config.reconnect()) {
            return;
        }
        long delayMillis;
        if (storming && (connection.droppedToStorm || failure != null)) {
            delayMillis = 0; // a storm ignores backoff and Retry-After alike
        } else if (connection.goAwayDelayMillis >= 0) {
            delayMillis = connection.goAwayDelayMillis;
        } else if (failure != null && !failure.isRetryable()) {
            return; // e.g. 401: the same request would be refused again
        } else if (failure != null && failure.retryAfterMillis().isPresent()) {
            delayMillis = failure.retryAfterMillis().getAsLong();
        } else {
            delayMillis = ReconnectBackoff.delayMillis(backoffBaseMillis, backoffMaxMillis, failuresSinceWelcome++,
                    ThreadLocalRandom.current());
        }
        // Sent away (drain, lifetime): that node wants the device elsewhere, so any other one will do.
        gateway = connection.goAwayDelayMillis >= 0
                ? fleet.dialer.otherGateway(connection.gatewaySlot, ThreadLocalRandom.current())
                : fleet.dialer.nextGateway(connection.gatewaySlot);
        if (everWelcomed) {
            fleet.outcomes.reconnecting();
        }
        pendingReconnect = loop.schedule(() -> fleet.pacer.submit(this), delayMillis, TimeUnit.MILLISECONDS);
    }

    private static Throwable failureCause(DeviceConnection connection) {
        if (connection.failure != null) {
            return connection.failure;
        }
        ChannelFuture connect = connection.connectFuture;
        return connect != null && connect.isDone() ? connect.cause() : null;
    }

    private void releaseConnectPermit(DeviceConnection connection) {
        if (connection.holdsConnectPermit) {
            connection.holdsConnectPermit = false;
            fleet.pacer.release();
        }
    }
}
