package io.kickoff.prefetch.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kickoff.protocol.v1.Bundle;
import io.kickoff.protocol.v1.Rendering;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What every {@link BundleStore} does. Subclasses provide a fresh store per test. */
abstract class BundleStoreContract {
    static final Duration LONG = Duration.ofMinutes(10);

    abstract BundleStore store();

    /** A segment no other test uses, so stores may be shared. */
    final String segment = "seg-" + UUID.randomUUID().toString().substring(0, 8);

    static Bundle bundle(String eventId, String segment, String version) {
        return Bundle.newBuilder().setEventId(eventId).setSegment(segment).setVersion(version)
                .putStages("LIVE", Rendering.newBuilder().setRowTitle("Live now: " + eventId).build())
                .build();
    }

    @Test
    void putThenGet() {
        BundleStore store = store();
        Bundle b = bundle("ev-1", segment, "v1");
        store.put(b, LONG).join();
        assertThat(store.get("ev-1", segment).join()).contains(b);
        assertThat(store.get("ev-2", segment).join()).isEmpty();
        assertThat(store.get("ev-1", segment + "-other").join()).isEmpty();
    }

    @Test
    void putReplaces() {
        BundleStore store = store();
        store.put(bundle("ev-1", segment, "v1"), LONG).join();
        store.put(bundle("ev-1", segment, "v2"), LONG).join();
        assertThat(store.get("ev-1", segment).join()).map(Bundle::getVersion).contains("v2");
        assertThat(store.listBySegment(segment).join()).extracting(Bundle::getVersion).containsExactly("v2");
    }

    @Test
    void listsBySegmentInEventOrder() {
        BundleStore store = store();
        store.put(bundle("ev-b", segment, "v1"), LONG).join();
        store.put(bundle("ev-a", segment, "v1"), LONG).join();
        store.put(bundle("ev-c", segment + "-other", "v1"), LONG).join();
        assertThat(store.listBySegment(segment).join()).extracting(Bundle::getEventId).containsExactly("ev-a", "ev-b");
        assertThat(store.listBySegment(segment + "-none").join()).isEmpty();
    }

    @Test
    void removes() {
        BundleStore store = store();
        store.put(bundle("ev-1", segment, "v1"), LONG).join();
        store.put(bundle("ev-2", segment, "v1"), LONG).join();
        store.remove("ev-1", segment).join();
        assertThat(store.get("ev-1", segment).join()).isEmpty();
        assertThat(store.listBySegment(segment).join()).extracting(Bundle::getEventId).containsExactly("ev-2");
        store.remove("ev-missing", segment).join();
    }

    @Test
    void expiresAfterItsTtl() {
        BundleStore store = store();
        store.put(bundle("ev-short", segment, "v1"), Duration.ofMillis(50)).join();
        store.put(bundle("ev-long", segment, "v1"), LONG).join();
        await().atMost(Duration.ofSeconds(10)).until(() -> store.get("ev-short", segment).join().isEmpty());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(store.listBySegment(segment).join())
                .extracting(Bundle::getEventId).containsExactly("ev-long"));
    }

    @Test
    void refusesANonPositiveTtl() {
        assertThatThrownBy(() -> store().put(bundle("ev-1", segment, "v1"), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
