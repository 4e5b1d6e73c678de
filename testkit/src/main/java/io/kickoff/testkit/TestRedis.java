package io.kickoff.testkit;

import io.kickoff.devservers.RedisServer;

/**
 * A real Redis server for a test class (devservers' {@link RedisServer}), started before its first test and closed
 * after its last; fault tests can stop, kill and restart it. Use it as
 * {@code @RegisterExtension static final TestRedis redis = new TestRedis();}.
 */
public final class TestRedis extends ClassScopedServer {
    private final RedisServer server;

    public TestRedis() {
        this(new RedisServer());
    }

    public TestRedis(RedisServer server) {
        this.server = server;
    }

    @Override
    public void start() {
        server.start();
    }

    /** Stops the server in an orderly way; {@link #start()} brings it back on the same port with the same data. */
    public void stop() {
        server.stop();
    }

    /** Kills the server (SIGKILL); {@link #start()} brings it back with every acknowledged write. */
    public void kill() {
        server.kill();
    }

    public void restart() {
        server.restart();
    }

    public boolean isRunning() {
        return server.isRunning();
    }

    public String uri() {
        return server.uri();
    }

    public String host() {
        return server.host();
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.close();
    }

    @Override
    public String toString() {
        return server.toString();
    }
}
