package io.kickoff.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;

class TestResourcesTest {
    final TestResources resources = new TestResources();
    final List<String> closed = new ArrayList<>();

    static ExtensionContext scope(String id) {
        return (ExtensionContext) Proxy.newProxyInstance(ExtensionContext.class.getClassLoader(),
                new Class<?>[] {ExtensionContext.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getUniqueId")) {
                        return id;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    AutoCloseable named(String name) {
        return () -> closed.add(name);
    }

    @Test
    void whatATestOpenedIsClosedAfterItLastFirstAndWhatTheClassOpenedAfterTheClass() throws Exception {
        ExtensionContext testClass = scope("[class]");
        ExtensionContext first = scope("[class]/[first]");
        ExtensionContext second = scope("[class]/[second]");

        resources.beforeAll(testClass);
        resources.closeAfter(named("class-wide"));
        resources.beforeEach(first);
        resources.closeAfter(named("a"));
        resources.closeAfter(named("b"));
        resources.afterEach(first);
        assertThat(closed).containsExactly("b", "a");

        resources.beforeEach(second);
        resources.closeAfter(named("c"));
        resources.afterEach(second);
        assertThat(closed).containsExactly("b", "a", "c");

        resources.afterAll(testClass);
        assertThat(closed).containsExactly("b", "a", "c", "class-wide");
    }

    @Test
    void aFailingCloseDoesNotKeepTheOthersOpenAndIsReported() {
        ExtensionContext test = scope("[class]/[test]");
        resources.beforeEach(test);
        resources.closeAfter(named("first"));
        resources.closeAfter(() -> {
            throw new IOException("cannot close");
        });
        resources.closeAfter(named("last"));

        assertThatThrownBy(() -> resources.afterEach(test)).isInstanceOf(IOException.class).hasMessage("cannot close");
        assertThat(closed).containsExactly("last", "first");
    }
}
