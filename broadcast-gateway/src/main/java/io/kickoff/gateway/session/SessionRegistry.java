package io.kickoff.gateway.session;

import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every greeted device, grouped by the event loop that owns its channel so that a broadcast
 * needs one task per event loop, not one per device. Each group is only touched on its loop.
 */
public final class SessionRegistry {
    private final Map<EventLoop, LoopSessions> byLoop = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();

    /** Adds a session; call on its channel's event loop. */
    public void add(DeviceSession session) {
        EventLoop loop = session.channel().eventLoop();
        if (byLoop.computeIfAbsent(loop, LoopSessions::new).add(session)) {
            count.incrementAndGet();
        }
    }

    /** Removes a session; call on its channel's event loop. Safe for sessions never added. */
    public void remove(DeviceSession session) {
        LoopSessions group = byLoop.get(session.channel().eventLoop());
        if (group != null && group.remove(session)) {
            count.decrementAndGet();
        }
    }

    public int size() {
        return count.get();
    }

    public Collection<LoopSessions> loops() {
        return byLoop.values();
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
