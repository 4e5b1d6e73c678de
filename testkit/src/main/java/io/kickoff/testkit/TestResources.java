package io.kickoff.testkit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a test opens through {@link #closeAfter}, closed for it, last opened first: what a test method
 * opened after that method, what a {@code @BeforeAll} opened (the extension in a static field) after
 * its class. Register it after the servers the resources use ({@link TestKafka}, {@link TestRedis}),
 * so that it closes its resources before they stop. Fixtures that start services for tests extend it.
 */
public class TestResources implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {
    private final List<AutoCloseable> opened = new ArrayList<>();
    /** Scope (a class or a method) → how many resources were open when it began. */
    private final Map<String, Integer> marks = new HashMap<>();

    /** Closes {@code closeable} when the current scope ends; returns it. */
    public synchronized <T extends AutoCloseable> T closeAfter(T closeable) {
        opened.add(closeable);
        return closeable;
    }

    @Override
    public synchronized void beforeAll(ExtensionContext context) {
        marks.put(context.getUniqueId(), opened.size());
    }

    @Override
    public synchronized void beforeEach(ExtensionContext context) {
        marks.put(context.getUniqueId(), opened.size());
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        closeSince(context);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        closeSince(context);
    }

    private void closeSince(ExtensionContext context) throws Exception {
        List<AutoCloseable> toClose;
        synchronized (this) {
            Integer mark = marks.remove(context.getUniqueId());
            int from = mark == null ? 0 : Math.min(mark, opened.size());
            List<AutoCloseable> scope = opened.subList(from, opened.size());
            toClose = new ArrayList<>(scope);
            scope.clear();
        }
        Exception failure = null;
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
