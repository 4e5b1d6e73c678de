package io.kickoff.testkit;

import io.kickoff.devservers.RedisServer;

/**
 * A real Redis server for a test class (devservers' {@link RedisServer}), started before its first test and closed
 * after its last; fault tests can stop, kill and restart it. Use it as
 * {@code @RegisterExtension static final TestRedis redis = new TestRedis();}.
 */
public final class TestRedis extends ClassScopedServer<RedisServer> {

    public TestRedis() {
        this(new RedisServer());
    }

    public TestRedis(RedisServer server) {
        super(server);
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
}
