package io.kickoff.gateway;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Bundle delivery state of one event loop, touched only on that loop, so it needs no locks:
 * which bundle version each device was sent per event, and the pushes under way.
 *
 * <p>Per device the state is one array of (event id, version) pairs whose strings are shared
 * with the held bundles, so it costs a few dozen bytes. Departed devices are swept when the
 * table has doubled since the last sweep, which keeps it within twice the live devices.
 */
final class LoopState {
    private static final int MIN_SWEEP = 64;

    final EventLoop loop;
    private final BundleDelivery owner;
    private final Map<DeviceSession, String[]> sent = new IdentityHashMap<>();
    private int sweepAt = MIN_SWEEP;
    final Map<String, Push> pushes = new HashMap<>(); // keyed by event id + '\n' + segment

    LoopState(EventLoop loop, BundleDelivery owner) {
        this.loop = loop;
        this.owner = owner;
    }

    /** The bundle version of the event last sent to (or held by) the device; null if none. */
    String sentVersion(DeviceSession session, String eventId) {
        String[] pairs = sent.get(session);
        if (pairs != null) {
            for (int i = 0; i < pairs.length; i += 2) {
                if (pairs[i].equals(eventId)) {
                    return pairs[i + 1];
                }
            }
        }
        return null;
    }

    void markSent(DeviceSession session, String eventId, String version) {
        String[] pairs = sent.get(session);
        if (pairs == null) {
            if (sent.size() >= sweepAt) {
                sweep();
            }
            sent.put(session, new String[] {eventId, version});
            return;
        }
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i].equals(eventId)) {
                pairs[i + 1] = version;
                return;
            }
        }
        String[] grown = Arrays.copyOf(pairs, pairs.length + 2);
        grown[pairs.length] = eventId;
        grown[pairs.length + 1] = version;
        sent.put(session, grown);
    }

    /** Forgets devices whose connection is gone. */
    void sweep() {
        sent.keySet().removeIf(session -> !session.channel().isActive());
        sweepAt = Math.max(MIN_SWEEP, sent.size() * 2);
    }

    int trackedDevices() {
        return sent.size();
    }

    /** The event's bundles were dropped: stop its pushes and forget what devices were sent. */
    void forgetEvent(String eventId) {
        List<Push> stopping = new ArrayList<>();
        for (Push push : pushes.values()) {
            if (push.bundle.eventId.equals(eventId)) {
                stopping.add(push);
            }
        }
        stopping.forEach(Push::stop);
        Iterator<Map.Entry<DeviceSession, String[]>> it = sent.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<DeviceSession, String[]> e = it.next();
            String[] pairs = e.getValue();
            for (int i = 0; i < pairs.length; i += 2) {
                if (pairs[i].equals(eventId)) {
                    if (pairs.length == 2) {
                        it.remove();
                    } else {
                        String[] shrunk = new String[pairs.length - 2];
                        System.arraycopy(pairs, 0, shrunk, 0, i);
                        System.arraycopy(pairs, i + 2, shrunk, i, pairs.length - i - 2);
                        e.setValue(shrunk);
                    }
                    break;
                }
            }
        }
    }

    /**
     * Starts pushing a new version to this loop's devices of its segment; takes over the reference
     * {@code frames} (released when the push ends, or at once if there is nothing to push). A push
     * of an older version of the same bundle still under way is stopped: its remaining devices get
     * the new one instead.
     */
    void startPush(SessionRegistry.LoopSessions group, HeldBundle bundle, WireFrames frames) {
        String key = bundle.eventId + '\n' + bundle.segment;
        Push previous = pushes.get(key);
        if (previous != null) {
            previous.stop();
        }
        if (bundle.isReleased()) {
            // Replaced or dropped before this task ran; the task for the newer one follows.
            frames.release();
            return;
        }
        // The targets are fixed now: the registry's list reorders on removals, so walking it
        // across ticks could skip devices. Devices greeted later are served by welcomed().
        List<DeviceSession> sessions = group.sessions();
        List<DeviceSession> targets = new ArrayList<>();
        for (int i = 0; i < sessions.size(); i++) {
            DeviceSession session = sessions.get(i);
            if (session.segment().equals(bundle.segment) && !session.closing() && session.channel().isActive()
                    && !bundle.version.equals(sentVersion(session, bundle.eventId))) {
                targets.add(session);
            }
        }
        if (targets.isEmpty()) {
            frames.release();
            return;
        }
        Push push = new Push(this, key, bundle, frames, targets.toArray(new DeviceSession[0]),
                owner.sliceOf(targets.size(), bundle.pushWindowPermille));
        pushes.put(key, push);
        push.run();
        if (!push.done) {
            push.cancelTick = owner.ticker().every(loop, owner.tickNanos(), push);
        }
    }

    /** One paced push of one bundle version on this loop: a slice of devices per tick. */
    static final class Push implements Runnable {
        private final LoopState state;
        private final String key;
        final HeldBundle bundle;
        private final WireFrames frames; // this push's own reference
        private DeviceSession[] targets;
        private final int slice;
        private int next;
        boolean done;
        Runnable cancelTick;

        Push(LoopState state, String key, HeldBundle bundle, WireFrames frames,
             DeviceSession[] targets, int slice) {
            this.state = state;
            this.key = key;
            this.bundle = bundle;
            this.frames = frames;
            this.targets = targets;
            this.slice = slice;
        }

        @Override
        public void run() {
            if (done) {
                return;
            }
            int end = Math.min(next + slice, targets.length);
            int wrote = 0;
            int unwritable = 0;
            for (; next < end; next++) {
                DeviceSession session = targets[next];
                targets[next] = null;
                Channel channel = session.channel();
                if (!channel.isActive() || session.closing()
                        || bundle.version.equals(state.sentVersion(session, bundle.eventId))) {
                    continue;
                }
                if (!channel.isWritable()) {
                    unwritable++;
                    continue;
                }
                state.markSent(session, bundle.eventId, bundle.version);
                channel.writeAndFlush(frames.retainedFrame(session.format()), channel.voidPromise());
                wrote++;
            }
            state.owner.counted(wrote, unwritable);
            if (next >= targets.length) {
                stop();
            }
        }

        /** Ends the push (finished, superseded or dropped) and gives up its reference. */
        void stop() {
            if (done) {
                return;
            }
            done = true;
            if (cancelTick != null) {
                cancelTick.run();
            }
            targets = null;
            frames.release();
            state.pushes.remove(key, this);
        }
    }
}
