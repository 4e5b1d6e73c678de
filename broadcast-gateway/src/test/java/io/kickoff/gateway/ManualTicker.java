package io.kickoff.gateway;

import io.netty.channel.EventLoop;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Pacing ticks that fire only when a test says so, each on its own event loop. */
final class ManualTicker implements BundleDelivery.Ticker {
    private record Scheduled(EventLoop loop, Runnable tick) {
    }

    private final List<Scheduled> scheduled = new CopyOnWriteArrayList<>();

    @Override
    public Runnable every(EventLoop loop, long periodNanos, Runnable tick) {
        Scheduled s = new Scheduled(loop, tick);
        scheduled.add(s);
        return () -> scheduled.remove(s);
    }

    /** Fires every registered tick once, on its loop, and returns when all have run. */
    void tick() {
        for (Scheduled s : List.copyOf(scheduled)) {
            if (s.loop().inEventLoop()) {
                s.tick().run();
            } else {
                s.loop().submit(s.tick()).syncUninterruptibly();
            }
        }
    }

    /** Ticks registered and not cancelled: pushes still under way. */
    int active() {
        return scheduled.size();
    }
}
