package io.kickoff.gateway;

import io.kickoff.protocol.Stages;
import io.kickoff.protocol.v1.StageUpdate;
import io.netty.channel.Channel;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one stage update to every device in its audience, each stamped with the version of the
 * bundle held for the device's segment. The update is encoded once per (bundle version, wire
 * format), WebSocket header included ({@link StageFrames}, {@link WireFrames}); each device gets a
 * {@link WireFrames#retainedFrame view} of the bytes for its segment, so a broadcast to N devices
 * allocates N small buffer views and nothing else. Work is one task per event loop
 * that walks that loop's devices, never one task per device. A connection that is not writable
 * is skipped: its device stays behind and {@code SessionUpkeep} sends the update once it drains,
 * so a slow reader never makes the server buffer without bound.
 */
final class FanOut {
    private static final Logger log = LoggerFactory.getLogger(FanOut.class);

    private final SessionRegistry registry;
    private final GatewayMetrics metrics;
    private final DeliveryStats stats;
    private final BundleVersions bundles;

    public FanOut(SessionRegistry registry, GatewayMetrics metrics, DeliveryStats stats, BundleVersions bundles) {
        this.registry = registry;
        this.metrics = metrics;
        this.stats = stats;
        this.bundles = bundles;
    }

    /** Schedules the broadcast on every event loop and returns at once; never blocks the caller. */
    public void broadcast(StageUpdate update) {
        StageFrames encoded = StageFrames.encode(update, bundles);
        try {
            for (SessionRegistry.LoopSessions group : registry.loops()) {
                // Each loop's task holds a reference of its own, released when its walk is done.
                encoded.retain();
                try {
                    group.loop().execute(() -> {
                        try {
                            sendAll(group.sessions(), update, encoded);
                        } finally {
                            encoded.release();
                        }
                    });
                } catch (RejectedExecutionException e) {
                    // The gateway is stopping and its loops are gone, with their connections.
                    encoded.release();
                    log.debug("update {} seq {} not fanned out: event loop stopped", update.getEventId(), update.getSeq());
                }
            }
        } finally {
            encoded.release();
        }
    }

    /** Runs on the group's event loop. */
    private void sendAll(List<DeviceSession> sessions, StageUpdate update, StageFrames frames) {
        long start = System.nanoTime();
        int targeted = 0;
        int sent = 0;
        int withheld = 0;
        String eventId = update.getEventId();
        DeliveryStats.Tally tally = stats.tally(update);
        for (int i = 0; i < sessions.size(); i++) {
            DeviceSession session = sessions.get(i);
            if (session.closing() || !Stages.inAudience(update, session.segment())
                    || session.position(eventId) >= update.getSeq()) {
                continue;
            }
            targeted++;
            Channel channel = session.channel();
            if (!channel.isWritable()) {
                tally.targeted(session.deviceId());
                withheld++;
                continue;
            }
            session.sending(eventId, update.getSeq(), start);
            // One frame per channel per update, so write-then-flush is one syscall per device either way.
            channel.writeAndFlush(frames.forSegment(session.segment()).retainedFrame(session.format()),
                    channel.voidPromise());
            tally.written(session.deviceId());
            sent++;
        }
        metrics.written(sent);
        metrics.withheld(withheld);
        metrics.fanOutTook(System.nanoTime() - start);
        if (log.isDebugEnabled()) {
            log.debug("update {} seq {}: {} targeted, {} written, {} withheld", eventId, update.getSeq(), targeted, sent, withheld);
        }
    }
}
