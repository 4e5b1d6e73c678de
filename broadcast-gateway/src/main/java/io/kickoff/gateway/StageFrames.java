package io.kickoff.gateway;

import io.kickoff.protocol.v1.ServerFrame;
import io.kickoff.protocol.v1.StageUpdate;
import io.netty.util.AbstractReferenceCounted;
import java.util.HashMap;
import java.util.Map;

/**
 * One stage update as each device of its audience receives it: its {@code bundle_version} is the
 * version of the bundle held for the device's segment ({@code ""} if none), so the update is
 * encoded once per bundle version ({@link WireFrames}: once per wire format each) — a handful per
 * update, since segments are few. Built on one thread and only read afterwards; it holds one
 * reference to each of its {@link WireFrames} and gives them up when it is released itself, under
 * the same discipline: each event loop it is handed to takes a reference of its own
 * ({@link #retain()}) and releases it when its walk is done.
 */
final class StageFrames extends AbstractReferenceCounted {
    private final WireFrames unversioned;
    // Segment with a bundle → the encoding naming its version; shared by segments of equal version.
    private final Map<String, WireFrames> bySegment;
    // Each encoding once (a segment's is one of these).
    private final Map<String, WireFrames> byVersion;

    private StageFrames(WireFrames unversioned, Map<String, WireFrames> bySegment, Map<String, WireFrames> byVersion) {
        this.unversioned = unversioned;
        this.bySegment = bySegment;
        this.byVersion = byVersion;
    }

    /** Encodes the update for every segment of its audience that has a bundle, and once for those without. */
    static StageFrames encode(StageUpdate update, BundleVersions bundles) {
        Map<String, String> versions = new HashMap<>(bundles.versions(update.getEventId()));
        if (update.getSegmentsCount() > 0) {
            versions.keySet().retainAll(update.getSegmentsList());
        }
        Map<String, WireFrames> byVersion = new HashMap<>();
        Map<String, WireFrames> bySegment = new HashMap<>();
        try {
            byVersion.put("", encodeVersion(update, ""));
            versions.forEach((segment, version) ->
                    bySegment.put(segment, byVersion.computeIfAbsent(version, v -> encodeVersion(update, v))));
        } catch (RuntimeException | Error e) {
            byVersion.values().forEach(WireFrames::release);
            throw e;
        }
        return new StageFrames(byVersion.get(""), bySegment, byVersion);
    }

    /** The update encoded with {@code bundleVersion}; the caller holds the one reference. */
    static WireFrames encodeVersion(StageUpdate update, String bundleVersion) {
        return WireFrames.encode(ServerFrame.newBuilder().setStageUpdate(stamped(update, bundleVersion)).build());
    }

    /** The update stamped with a bundle version, as a device receives it. */
    static StageUpdate stamped(StageUpdate update, String bundleVersion) {
        return update.getBundleVersion().equals(bundleVersion) ? update
                : update.toBuilder().setBundleVersion(bundleVersion).build();
    }

    /** The encoding for a device of {@code segment}: hand the device its {@link WireFrames#retainedFrame}. */
    WireFrames forSegment(String segment) {
        return bySegment.getOrDefault(segment, unversioned);
    }

    @Override
    public StageFrames retain() {
        super.retain();
        return this;
    }

    @Override
    public StageFrames touch(Object hint) {
        byVersion.values().forEach(f -> f.touch(hint));
        return this;
    }

    @Override
    protected void deallocate() {
        byVersion.values().forEach(WireFrames::release);
    }
}
