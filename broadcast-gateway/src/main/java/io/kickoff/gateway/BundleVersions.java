package io.kickoff.gateway;

import java.util.Map;

/**
 * The version of the latest bundle held per (event, segment): what a stage update tells a device
 * to render from ({@code stage_update.bundle_version}).
 */
@FunctionalInterface
interface BundleVersions {
    /** No bundles at all. */
    BundleVersions NONE = eventId -> Map.of();

    /** Segment → version of every bundle held for the event, as of now (a copy). */
    Map<String, String> versions(String eventId);

    /** The version held for the event and segment; {@code ""} if none. */
    default String version(String eventId, String segment) {
        return versions(eventId).getOrDefault(segment, "");
    }
}
