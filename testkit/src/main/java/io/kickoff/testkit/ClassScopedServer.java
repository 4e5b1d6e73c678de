package io.kickoff.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A server a test class shares: started before its first test, closed after its last. Nested
 * test classes call beforeAll/afterAll again on an extension registered in the outer class, so
 * the scopes are counted and only the outermost starts and closes.
 */
abstract class ClassScopedServer implements BeforeAllCallback, AfterAllCallback, AutoCloseable {
    private int junitScopes;

    public abstract void start();

    @Override
    public abstract void close();

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
