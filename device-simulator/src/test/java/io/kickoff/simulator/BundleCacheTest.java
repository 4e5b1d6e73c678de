package io.kickoff.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.kickoff.protocol.v1.Bundle;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BundleCacheTest {
    static final long NOW = 1_800_000_000_000L;

    static Bundle bundle(String event, String version) {
        return Bundle.newBuilder().setEventId(event).setSegment("s").setVersion(version).build();
    }

    @Test
    void aPushedBundleIsAHitForItsVersionOnly() {
        BundleCache cache = new BundleCache();
        assertThat(cache.lookup("e", "v1", NOW)).isEqualTo(BundleCache.Lookup.MISSING);
        assertThat(cache.hold(bundle("e", "v1"))).as("first bundle of the event").isTrue();
        assertThat(cache.hold(bundle("e", "v1"))).isFalse();
        assertThat(cache.lookup("e", "v1", NOW)).isEqualTo(BundleCache.Lookup.HIT);
        assertThat(cache.lookup("e", "v2", NOW)).isEqualTo(BundleCache.Lookup.MISSING);
        assertThat(cache.lookup("other", "v1", NOW)).isEqualTo(BundleCache.Lookup.MISSING);
        assertThat(cache.versions(NOW)).isEqualTo(Map.of("e", "v1"));
    }

    @Test
    void aBundlePastItsExpiresAtIsExpiredAndLeftOutOfTheHello() {
        BundleCache cache = new BundleCache();
        cache.hold(bundle("e", "v1").toBuilder().setExpiresAt(Timestamp.newBuilder().setSeconds(NOW / 1000 + 60)).build());
        assertThat(cache.lookup("e", "v1", NOW)).isEqualTo(BundleCache.Lookup.HIT);
        assertThat(cache.lookup("e", "v1", NOW + 60_000)).isEqualTo(BundleCache.Lookup.EXPIRED);
        assertThat(cache.versions(NOW + 60_000)).isEmpty();
    }

    @Test
    void aFetchedListingIsFreshForItsMaxAgeAndA304RenewsIt() {
        BundleCache cache = new BundleCache();
        assertThat(cache.etagToRevalidate()).isNull();
        cache.hold(bundle("e", "v0"));
        assertThat(cache.storeListing(List.of(bundle("e", "v1"), bundle("f", "w1")), "W/\"abc\"", 10, NOW))
                .containsExactly("f");
        assertThat(cache.etagToRevalidate()).isEqualTo("W/\"abc\"");
        assertThat(cache.lookup("f", "w1", NOW + 9_999)).isEqualTo(BundleCache.Lookup.HIT);
        assertThat(cache.lookup("e", "v1", NOW + 10_000)).isEqualTo(BundleCache.Lookup.EXPIRED);
        // Past max-age the version is still reported as held: only expires_at drops it.
        assertThat(cache.versions(NOW + 10_000)).containsEntry("e", "v1");

        cache.revalidated(10, NOW + 10_000);
        assertThat(cache.lookup("e", "v1", NOW + 19_999)).isEqualTo(BundleCache.Lookup.HIT);
        assertThat(cache.lookup("e", "v1", NOW + 20_000)).isEqualTo(BundleCache.Lookup.EXPIRED);
    }

    @Test
    void aListingWithoutMaxAgeNeverGoesStaleAndForgettingDropsTheEtag() {
        BundleCache cache = new BundleCache();
        cache.storeListing(List.of(bundle("e", "v1")), "\"t\"", -1, NOW);
        assertThat(cache.lookup("e", "v1", Long.MAX_VALUE - 1)).isEqualTo(BundleCache.Lookup.HIT);
        assertThat(cache.forget()).containsExactly("e");
        assertThat(cache.lookup("e", "v1", NOW)).isEqualTo(BundleCache.Lookup.MISSING);
        assertThat(cache.etagToRevalidate()).isNull();
        assertThat(cache.versions(NOW)).isEmpty();
    }

    @Test
    void maxAgeIsReadFromCacheControl() {
        assertThat(BundleFetcher.maxAgeSeconds("private, max-age=300")).isEqualTo(300);
        assertThat(BundleFetcher.maxAgeSeconds("MAX-AGE=0")).isZero();
        assertThat(BundleFetcher.maxAgeSeconds("no-store")).isEqualTo(-1);
        assertThat(BundleFetcher.maxAgeSeconds("max-age=soon")).isEqualTo(-1);
        assertThat(BundleFetcher.maxAgeSeconds(null)).isEqualTo(-1);
    }
}
