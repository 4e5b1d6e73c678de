package io.kickoff.simulator;

import io.kickoff.protocol.v1.Ack;
import io.kickoff.protocol.v1.ClientFrame;
import io.kickoff.protocol.v1.Hello;
import io.kickoff.protocol.v1.ReconnectPolicy;
import io.kickoff.protocol.v1.ServerFrame;
import io.kickoff.protocol.v1.StageUpdate;
import io.kickoff.protocol.v1.Welcome;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Map;
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
 * full-jitter backoff after anything else (to the next gateway of the list).
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

    SimulatedDevice(FleetContext fleet, int index, String deviceId, EventLoop loop) {
        this.fleet = fleet;
        this.index = index;
        this.loop = loop;
        this.view = DeviceView.initial(index, deviceId);
        this.gateway = fleet.dialer.firstGateway(index);
        this.backoffBaseMillis = fleet.config.reconnectBaseDelay().toMillis();
        this.backoffMaxMillis = fleet.config.reconnectMaxDelay().toMillis();
    }

    int index() {
        return index;
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
            if (bundleVersions != null) {
                bundleVersions.keySet().forEach(fleet.holdings::dropped);
            }
            bundleVersions = null;
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

    // event id → version of the bundle held; only touched on this device's event loop, null until the first bundle.
    private Map<String, String> bundleVersions;
    // Events whose bundle is being fetched, so that a burst of updates makes one request.
    private java.util.Set<String> fetching;

    void onHandshakeComplete(DeviceConnection connection, ChannelHandlerContext ctx) {
        connection.handshaken = true;
        view = view.withConnected(true);
        Hello.Builder hello = Hello.newBuilder()
                .addAllCapabilities(fleet.config.capabilities())
                .setClientVersion(CLIENT_VERSION);
        for (Map.Entry<String, EventPosition> position : view.positions().entrySet()) {
            hello.putPositions(position.getKey(), position.getValue().seq());
        }
        if (bundleVersions != null) {
            hello.putAllBundleVersions(bundleVersions);
        }
        ctx.writeAndFlush(ClientFrame.newBuilder().setHello(hello).build());
    }

    void onServerFrame(DeviceConnection connection, ChannelHandlerContext ctx, ServerFrame frame,
            long receivedAtMicros, long receivedNanoTime) {
        switch (frame.getFrameCase()) {
            case WELCOME -> onWelcome(connection, ctx, frame.getWelcome(), receivedAtMicros, receivedNanoTime);
            case STAGE_UPDATE -> receive(ctx, frame.getStageUpdate(), false, receivedAtMicros, receivedNanoTime);
            case BUNDLE -> {
                hold(frame.getBundle().getEventId(), frame.getBundle().getVersion());
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
        // Snapshot first, so a completed connectAll() implies every snapshot was applied.
        for (StageUpdate update : welcome.getSnapshotList()) {
            receive(ctx, update, true, receivedAtMicros, receivedNanoTime);
        }
        view = view.withWelcome();
        failuresSinceWelcome = 0;
        if (!connection.welcomed) {
            connection.welcomed = true;
            releaseConnectPermit(connection);
        }
        if (!everWelcomed) {
            everWelcomed = true;
            fleet.connectAll.deviceWelcomedFirstTime();
        }
    }

    private void receive(ChannelHandlerContext ctx, StageUpdate update, boolean fromSnapshot,
            long receivedAtMicros, long receivedNanoTime) {
        String eventId = fleet.canonicalEventId(update.getEventId());
        long applied = view.appliedSeq(eventId);
        if (update.getSeq() > applied) {
            String bundleVersion = fleet.canonical(update.getBundleVersion());
            boolean held = !bundleVersion.isEmpty() && bundleVersions != null
                    && bundleVersion.equals(bundleVersions.get(eventId));
            view = view.withApplied(new AppliedUpdate(eventId, update.getSeq(), update.getStage(),
                    Clocks.toEpochMicros(update.getIssuedAt()), receivedAtMicros, receivedNanoTime, fromSnapshot,
                    bundleVersion, held));
            fleet.progress.applied(eventId, applied, update.getSeq());
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

    private void expectAfterWelcome(String eventId, String version) {
        if (version.isEmpty()) {
            return;
        }
        loop.schedule(() -> ensureBundle(eventId, version), WELCOME_BUNDLES_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Like a real device's cache: the versions held are reported in every hello. */
    private void hold(String eventId, String version) {
        if (bundleVersions == null) {
            bundleVersions = new java.util.HashMap<>(2);
        }
        if (bundleVersions.put(eventId, version) == null) {
            fleet.holdings.held(eventId);
        }
    }

    /**
     * The update names the bundle to render ({@code ""}: the segment has none, render the built-in
     * default). A version the device does not hold is fetched now, as {@code critical}: the stage is
     * changing and the device must not render a stale or missing bundle.
     */
    private void ensureBundle(String eventId, String version) {
        if (stopped || version.isEmpty() || (bundleVersions != null && version.equals(bundleVersions.get(eventId)))) {
            return;
        }
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
        view = view.withCriticalFetch();
        fleet.bundles.fetchCritical(token).whenComplete((bundles, error) -> onLoop(() -> {
            fetching.remove(eventId);
            if (error != null) {
                view = view.withFetchFailure();
                log.debug("{} could not fetch the bundle of {}: {}", view.deviceId(), eventId, error.toString());
                return;
            }
            for (io.kickoff.protocol.v1.Bundle bundle : bundles) {
                hold(bundle.getEventId(), bundle.getVersion());
            }
            view = view.withBundlesFetched(bundles.size());
        }));
    }

    private void onConnectionEnded(DeviceConnection connection) {
        if (current == connection) {
            current = null;
        }
        if (connection.handshaken) {
            view = view.withConnected(false);
        }
        releaseConnectPermit(connection);
        DeviceConnectException failure = null;
        if (!connection.welcomed) {
            failure = DeviceConnectException.of(view.deviceId(), connection.endpoint.uri(), failureCause(connection));
            view = view.withConnectFailure(failure.getMessage());
            fleet.outcomes.failed(failure);
            log.debug("connect attempt failed: {}", failure.getMessage());
            if (!everWelcomed) {
                fleet.connectAll.deviceFailedBeforeFirstWelcome(failure);
            }
        }
        if (stopped || fleet.isClosing() || !fleet.config.reconnect()) {
            return;
        }
        long delayMillis;
        if (connection.goAwayDelayMillis >= 0) {
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
