package io.kickoff.testkit;

import io.kickoff.devservers.DevServer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A development server a test class shares: started before its first test, closed after its
 * last; fault tests can stop, kill and restart it. Nested test classes call beforeAll/afterAll
 * again on an extension registered in the outer class, so the scopes are counted and only the
 * outermost starts and closes.
 */
abstract class ClassScopedServer<S extends DevServer> implements BeforeAllCallback, AfterAllCallback, AutoCloseable {
    final S server;
    private int junitScopes;

    ClassScopedServer(S server) {
        this.server = server;
    }

    public void start() {
        server.start();
    }

    /** Stops the server in an orderly way; {@link #start()} brings it back on the same address with the same data. */
    public void stop() {
        server.stop();
    }

    /** Kills the server (SIGKILL); {@link #start()} brings it back with everything it acknowledged. */
    public void kill() {
        server.kill();
    }

    public void restart() {
        server.restart();
    }

    public boolean isRunning() {
        return server.isRunning();
    }

    @Override
    public void close() {
        server.close();
    }

    @Override
    public String toString() {
        return server.toString();
    }

    @Override
    public final synchronized void beforeAll(ExtensionContext context) {
        if (junitScopes++ == 0) {
            start();
        }
    }

    @Override
    public final synchronized void afterAll(ExtensionContext context) {
        if (--junitScopes == 0) {
            close();
        }
    }
}
