package io.kickoff.http;

import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads named after what they do, so a thread dump says whose they are: the first is called {@code name}, the
 * next {@code name-2}, {@code name-3}... Daemon threads do not keep the JVM up once the services are closed.
 */
public final class NamedThreads implements ThreadFactory {
    private final String name;
    private final boolean daemon;
    private final AtomicInteger made = new AtomicInteger();

    private NamedThreads(String name, boolean daemon) {
        this.name = Objects.requireNonNull(name, "name");
        this.daemon = daemon;
    }

    public static NamedThreads daemon(String name) {
        return new NamedThreads(name, true);
    }

    @Override
    public Thread newThread(Runnable work) {
        int n = made.incrementAndGet();
        Thread t = new Thread(work, n == 1 ? name : name + "-" + n);
        t.setDaemon(daemon);
        return t;
    }
}
