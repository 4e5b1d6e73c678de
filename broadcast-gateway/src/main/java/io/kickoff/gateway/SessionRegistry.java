package io.kickoff.gateway;

import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every greeted device, grouped by the event loop that owns its channel so that a broadcast
 * needs one task per event loop, not one per device, and indexed by device id so that a device
 * connected twice keeps only its newest connection. Each group is only touched on its loop.
 */
final class SessionRegistry {
    private final Map<EventLoop, LoopSessions> byLoop = new ConcurrentHashMap<>();
    private final Map<String, DeviceSession> byDevice = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();

    /**
     * Adds a session; call on its channel's event loop. Returns the device's previous session,
     * if it had one: the caller asks that one to go away.
     */
    public Optional<DeviceSession> add(DeviceSession session) {
        EventLoop loop = session.channel().eventLoop();
        if (byLoop.computeIfAbsent(loop, LoopSessions::new).add(session)) {
            count.incrementAndGet();
        }
        DeviceSession previous = byDevice.put(session.deviceId(), session);
        return previous == null || previous == session ? Optional.empty() : Optional.of(previous);
    }

    /**
     * Removes a session; call on its channel's event loop. Safe for sessions never added. The
     * device index is cleared only if it still points to this session: a late close of an old
     * connection never removes the newer one.
     */
    public void remove(DeviceSession session) {
        LoopSessions group = byLoop.get(session.channel().eventLoop());
        if (group != null && group.remove(session)) {
            count.decrementAndGet();
        }
        byDevice.remove(session.deviceId(), session);
    }

    /** The device's current session, if connected here. */
    public Optional<DeviceSession> byDevice(String deviceId) {
        return Optional.ofNullable(byDevice.get(deviceId));
    }

    public int size() {
        return count.get();
    }

    public Collection<LoopSessions> loops() {
        return byLoop.values();
    }

    /** The sessions of one loop, or null if it has never had one. */
    public LoopSessions loop(EventLoop loop) {
        return byLoop.get(loop);
    }

    /** The sessions of one event loop. */
    public static final class LoopSessions {
        private final EventLoop loop;
        private final List<DeviceSession> sessions = new ArrayList<>();

        LoopSessions(EventLoop loop) {
            this.loop = loop;
        }

        public EventLoop loop() {
            return loop;
        }

        /** The live list; read it only on {@link #loop()}. */
        public List<DeviceSession> sessions() {
            return sessions;
        }

        boolean add(DeviceSession session) {
            if (session.slot >= 0) {
                return false;
            }
            session.slot = sessions.size();
            sessions.add(session);
            return true;
        }

        // Swap-remove with the slot the session remembers: O(1), so reconnect storms stay cheap.
        boolean remove(DeviceSession session) {
            int i = session.slot;
            if (i < 0 || i >= sessions.size() || sessions.get(i) != session) {
                return false;
            }
            int last = sessions.size() - 1;
            DeviceSession moved = sessions.get(last);
            sessions.set(i, moved);
            moved.slot = i;
            sessions.remove(last);
            session.slot = -1;
            return true;
        }
    }
}
