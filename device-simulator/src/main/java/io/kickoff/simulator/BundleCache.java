package io.kickoff.simulator;

import io.kickoff.protocol.v1.Bundle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One device's bundle cache, as an app keeps it: the version held per event, when it stops being
 * usable (the bundle's own {@code expires_at}, and for a fetched listing its {@code max-age}), and
 * the listing's {@code ETag} to revalidate with. Times are the device's own clock, in epoch
 * milliseconds. Touched only on the device's event loop.
 */
final class BundleCache {
    /** What the cache says about the bundle a stage update names. */
    enum Lookup {
        /** Held and usable: render at once. */
        HIT,
        /** Not held, or another version: fetch. */
        MISSING,
        /** The very version, but past its expiry or max-age: fetch (revalidate). */
        EXPIRED
    }

    private record Held(String version, long expiresAtMillis, long freshUntilMillis) {
        boolean usableAt(long nowMillis) {
            return nowMillis < expiresAtMillis && nowMillis < freshUntilMillis;
        }
    }

    private Map<String, Held> held;
    private String etag;

    Lookup lookup(String eventId, String version, long nowMillis) {
        Held entry = held == null ? null : held.get(eventId);
        if (entry == null || !entry.version().equals(version)) {
            return Lookup.MISSING;
        }
        return entry.usableAt(nowMillis) ? Lookup.HIT : Lookup.EXPIRED;
    }

    /** A bundle the gateway pushed: usable until its {@code expires_at}. True if the device held none of its event. */
    boolean hold(Bundle bundle) {
        return put(bundle, Long.MAX_VALUE);
    }

    /**
     * A 200 from the bundle API: every bundle listed, fresh for {@code maxAgeSeconds} (-1: no limit).
     * Returns the events of which the device held no bundle before.
     */
    List<String> storeListing(Iterable<Bundle> bundles, String listingEtag, long maxAgeSeconds, long nowMillis) {
        long freshUntil = freshUntil(maxAgeSeconds, nowMillis);
        List<String> newlyHeld = new ArrayList<>(1);
        for (Bundle bundle : bundles) {
            if (put(bundle, freshUntil)) {
                newlyHeld.add(bundle.getEventId());
            }
        }
        etag = listingEtag;
        return newlyHeld;
    }

    /** A 304: the copies held are current; their max-age starts again (their own {@code expires_at} stays). */
    void revalidated(long maxAgeSeconds, long nowMillis) {
        if (held == null) {
            return;
        }
        long freshUntil = freshUntil(maxAgeSeconds, nowMillis);
        held.replaceAll((event, entry) -> new Held(entry.version(), entry.expiresAtMillis(), freshUntil));
    }

    /** The {@code ETag} to send as {@code If-None-Match}: only while the device holds something to revalidate. */
    String etagToRevalidate() {
        return held == null || held.isEmpty() ? null : etag;
    }

    /** Event → version of every bundle held and not past its {@code expires_at}: what a hello reports. */
    Map<String, String> versions(long nowMillis) {
        if (held == null) {
            return Map.of();
        }
        Map<String, String> versions = new HashMap<>(held.size());
        held.forEach((event, entry) -> {
            if (nowMillis < entry.expiresAtMillis()) {
                versions.put(event, entry.version());
            }
        });
        return versions;
    }

    /** The app's storage was cleared; returns the events whose bundle it held. */
    Set<String> forget() {
        Set<String> dropped = held == null ? Set.of() : Set.copyOf(held.keySet());
        held = null;
        etag = null;
        return dropped;
    }

    /** True if the device held no bundle of the event before. */
    private boolean put(Bundle bundle, long freshUntilMillis) {
        if (held == null) {
            held = new HashMap<>(2);
        }
        long expiresAt = bundle.hasExpiresAt()
                ? bundle.getExpiresAt().getSeconds() * 1000 + bundle.getExpiresAt().getNanos() / 1_000_000
                : Long.MAX_VALUE;
        return held.put(bundle.getEventId(), new Held(bundle.getVersion(), expiresAt, freshUntilMillis)) == null;
    }

    private static long freshUntil(long maxAgeSeconds, long nowMillis) {
        return maxAgeSeconds < 0 ? Long.MAX_VALUE : nowMillis + maxAgeSeconds * 1000;
    }
}
