package io.kickoff.gateway;

import io.netty.buffer.ByteBuf;
import io.kickoff.protocol.Stages;
import io.kickoff.protocol.v1.StageUpdate;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The periodic round of one event loop over its devices. It does, for every device, what would
 * otherwise take a timer per connection: send updates that were withheld while the connection
 * was unwritable, redeliver un-acked updates (backoff doubling from the ack timeout, a bounded
 * number of times), ping, close connections that stay unwritable or silent, send away those
 * past their lifetime or at their moment of a drain, and close those whose go-away grace is over.
 */
final class SessionUpkeep implements Runnable {
    private final SessionServices services;
    private final GatewayConfig config;
    private final EventLoop loop;
    private final long ackTimeout;
    private final long slowConsumerTimeout;
    private final long idleTimeout;
    private final long heartbeat;
    // Earliest redelivery due of the device being tended (one device at a time, on this loop).
    private long nextDue;
    /** Far enough to mean "never" in System.nanoTime arithmetic, near enough not to overflow it. */
    private static final long NOTHING_DUE = 1L << 60;
    private static final long GO_AWAY_GRACE_NANOS = Drain.GO_AWAY_GRACE.toNanos();

    public SessionUpkeep(SessionServices services, EventLoop loop) {
        this.services = services;
        this.config = services.config();
        this.loop = loop;
        this.ackTimeout = config.ackTimeout().toNanos();
        this.slowConsumerTimeout = config.slowConsumerTimeout().toNanos();
        this.idleTimeout = config.idleTimeout().toNanos();
        this.heartbeat = config.heartbeatInterval().toNanos();
    }

    @Override
    public void run() {
        runAt(System.nanoTime());
    }

    /** One round, as of {@code now} (System.nanoTime scale). */
    void runAt(long now) {
        SessionRegistry.LoopSessions group = services.registry().loop(loop);
        if (group == null || group.sessions().isEmpty()) {
            return;
        }
        // Read the version before the updates: a change racing with this round only causes another round.
        long worldVersion = services.world().version();
        Collection<StageUpdate> world = services.world().all();
        Frames frames = new Frames();
        try {
            List<DeviceSession> sessions = group.sessions();
            // Backwards: a session closed here may be swap-removed, which only moves visited ones.
            for (int i = sessions.size() - 1; i >= 0; i--) {
                if (i < sessions.size()) {
                    tend(sessions.get(i), world, worldVersion, frames, now);
                }
            }
        } finally {
            frames.release();
        }
    }

    private void tend(DeviceSession session, Collection<StageUpdate> world, long worldVersion, Frames frames, long now) {
        if (session.closing()) {
            if (now >= session.closeAt()) {
                services.farewells().closeAfterGoAway(session, "drain");
            }
            return;
        }
        if (now >= session.leaveAt()) {
            // Its moment in the drain: it was served until now, and reconnects elsewhere at once.
            services.farewells().goAwayThenClose(session, "drain", now + GO_AWAY_GRACE_NANOS);
            return;
        }
        Channel channel = session.channel();
        // The session knows when its connection became unwritable (ActivityClock): asking the channel
        // itself costs several dependent memory loads per device every round, so it is asked only to
        // confirm. Writes below still check the channel.
        if (session.unwritableSince() != 0 && !channel.isWritable()) {
            long since = session.unwritableSince();
            if (since != 0 && now - since >= slowConsumerTimeout) {
                services.farewells().drop(session, CloseCodes.SLOW_CONSUMER,
                        "unwritable for " + config.slowConsumerTimeout().toMillis() + " ms", "slow_consumer");
            }
            return;
        }
        if (now - session.lastReadAt() >= idleTimeout) {
            services.farewells().drop(session, CloseCodes.IDLE,
                    "nothing read for " + config.idleTimeout().toMillis() + " ms", "idle");
            return;
        }
        if (now >= session.moveAt()) {
            services.farewells().goAway(session, jitter(config.goAwayJitter().toMillis()), "lifetime");
            return;
        }
        boolean wrote = false;
        if (now - session.lastPingAt() >= heartbeat) {
            channel.write(new PingWebSocketFrame(), channel.voidPromise());
            session.pingedAt(now);
            wrote = true;
        }
        if (session.needsTending(worldVersion, now)) {
            boolean complete = true;
            nextDue = now + NOTHING_DUE;
            for (StageUpdate update : world) {
                // Stop as soon as the buffer is full again: the rest goes out in a later round.
                if (!channel.isWritable()) {
                    complete = false;
                    break;
                }
                wrote |= owe(session, update, frames, now);
            }
            if (complete) {
                session.reconciled(worldVersion, nextDue);
            }
        }
        if (wrote) {
            channel.flush();
        }
    }

    /** Sends the update if the device is behind on it, or again if it is un-acked past its backoff. */
    private boolean owe(DeviceSession session, StageUpdate update, Frames frames, long now) {
        if (!Stages.inAudience(update, session.segment())) {
            return false;
        }
        String eventId = update.getEventId();
        DeviceSession.Progress p = session.progress(eventId);
        long position = p == null ? 0 : Math.max(p.sent, p.acked);
        // Same rule as the welcome: an event the device never heard of matters only while active.
        if (position == 0 ? !Stages.isFinal(update.getStage()) : position < update.getSeq()) {
            // Withheld by fan-out while the connection was unwritable: send it now.
            if (session.sending(eventId, update.getSeq(), now)) {
                write(session, frames.retainedFrame(update, session));
                services.stats().written(update, session.deviceId());
                services.metrics().written(1);
                due(now + ackTimeout);
                return true;
            }
            return false;
        }
        if (p == null || !p.pending()) {
            return false;
        }
        if (p.sent != update.getSeq()) {
            due(now + ackTimeout); // not this round's to judge: look again later
            return false;
        }
        int attempts = p.attempts;
        if (attempts > config.maxRedeliveries() + 1) {
            return false;
        }
        long dueAt = p.sentAt + (ackTimeout << Math.min(attempts - 1, 20));
        if (now - dueAt < 0) {
            due(dueAt);
            return false;
        }
        if (attempts == config.maxRedeliveries() + 1) {
            // Out of redeliveries: the device converges on its next reconnect (hello carries its positions).
            services.metrics().redeliveriesExhausted();
            session.resent(p, now);
            return false;
        }
        session.resent(p, now);
        due(now + (ackTimeout << Math.min(p.attempts - 1, 20)));
        write(session, frames.retainedFrame(update, session));
        services.stats().written(update, session.deviceId());
        services.metrics().redelivered();
        return true;
    }

    /** Notes a redelivery due at {@code atNanos} for the device being tended. */
    private void due(long atNanos) {
        if (atNanos - nextDue < 0) {
            nextDue = atNanos;
        }
    }

    /** Writes a device's own view of a frame; the channel releases it. */
    private static void write(DeviceSession session, ByteBuf retainedFrame) {
        session.channel().write(retainedFrame, session.channel().voidPromise());
    }

    private static long jitter(long maxMillis) {
        return maxMillis <= 0 ? 0 : ThreadLocalRandom.current().nextLong(maxMillis);
    }

    /**
     * Updates encoded during one round, once per (event, bundle version) ({@link WireFrames}: once per
     * wire format each), held by the round and released at its end; devices get views. Each device's
     * copy names the bundle held for its segment now.
     */
    private final class Frames {
        // event id → bundle version → encoding. The round's snapshot of the world has one update per event.
        private final Map<String, Map<String, WireFrames>> byEvent = new HashMap<>();

        ByteBuf retainedFrame(StageUpdate update, DeviceSession session) {
            String version = services.bundles().version(update.getEventId(), session.segment());
            return byEvent.computeIfAbsent(update.getEventId(), e -> new HashMap<>())
                    .computeIfAbsent(version, v -> StageFrames.encodeVersion(update, v))
                    .retainedFrame(session.format());
        }

        void release() {
            byEvent.values().forEach(versions -> versions.values().forEach(WireFrames::release));
        }
    }
}
