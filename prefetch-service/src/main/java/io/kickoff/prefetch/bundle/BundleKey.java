package io.kickoff.prefetch.bundle;

import io.kickoff.protocol.v1.Bundle;
import java.util.Objects;

/** Identity of a bundle: one per (event, segment), never per device. */
public record BundleKey(String eventId, String segment) {
    public BundleKey {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(segment, "segment");
    }

    public static BundleKey of(Bundle bundle) {
        return new BundleKey(bundle.getEventId(), bundle.getSegment());
    }

    /** The bus key of {@code kickoff.bundles}: {@code eventId + ":" + segment}. */
    public String busKey() {
        return eventId + ":" + segment;
    }
}
