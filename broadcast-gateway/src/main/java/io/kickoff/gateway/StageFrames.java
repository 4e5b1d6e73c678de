package io.kickoff.gateway;

import io.kickoff.protocol.WireFormat;
import io.kickoff.protocol.v1.ServerFrame;
import io.kickoff.protocol.v1.StageUpdate;
import io.netty.buffer.ByteBuf;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/**
 * One stage update as each device receives it: its {@code bundle_version} is the version of the
 * bundle held for the device's segment ({@code ""} if none), so the frame is encoded once per
 * (bundle version, wire format) — a handful per update, since segments are few — and every device
 * gets a {@code retainedDuplicate()} of the bytes for its segment. Not thread-safe: build it on one
 * thread, hand each event loop its own {@link #retainedDuplicate()}.
 */
final class StageFrames {
    private final StageUpdate update;
    private final Map<String, String> versionBySegment;
    // bundle version → format → complete WebSocket frame.
    private final Map<String, Map<WireFormat, ByteBuf>> byVersion;

    private StageFrames(StageUpdate update, Map<String, String> versionBySegment,
                        Map<String, Map<WireFormat, ByteBuf>> byVersion) {
        this.update = update;
        this.versionBySegment = versionBySegment;
        this.byVersion = byVersion;
    }

    /** Encodes the update for every segment of its audience that has a bundle, and once for those without. */
    public static StageFrames encode(StageUpdate update, BundleVersions bundles) {
        Map<String, String> versions = new HashMap<>(bundles.versions(update.getEventId()));
        if (update.getSegmentsCount() > 0) {
            versions.keySet().retainAll(update.getSegmentsList());
        }
        Map<String, Map<WireFormat, ByteBuf>> byVersion = new HashMap<>();
        StageFrames frames = new StageFrames(update, versions, byVersion);
        frames.encodeVersion("");
        versions.values().forEach(frames::encodeVersion);
        return frames;
    }

    /** A lazily filled set for one round of one event loop: versions are encoded when first needed. */
    public static StageFrames lazy(StageUpdate update) {
        return new StageFrames(update, null, new HashMap<>());
    }

    /** The update stamped with a bundle version, as a device receives it. */
    public static StageUpdate stamped(StageUpdate update, String bundleVersion) {
        return update.getBundleVersion().equals(bundleVersion) ? update
                : update.toBuilder().setBundleVersion(bundleVersion).build();
    }

    public StageUpdate update() {
        return update;
    }

    /** The frame for a device of {@code segment} (owned by this object: duplicate it to write it). */
    public ByteBuf frame(String segment, WireFormat format) {
        return byVersion.get(versionBySegment.getOrDefault(segment, "")).get(format);
    }

    /** The frame for a bundle version, encoded now if it is the first of that version (lazy sets only). */
    public ByteBuf frameForVersion(String bundleVersion, WireFormat format) {
        return byVersion.computeIfAbsent(bundleVersion, v -> new EnumMap<>(WireFormat.class))
                .computeIfAbsent(format, f -> WireFrames.encode(f, frameOf(bundleVersion)));
    }

    /** Another reference to every encoding, for another thread; release it there. */
    public StageFrames retainedDuplicate() {
        Map<String, Map<WireFormat, ByteBuf>> copy = new HashMap<>();
        byVersion.forEach((version, formats) -> {
            Map<WireFormat, ByteBuf> mine = new EnumMap<>(WireFormat.class);
            formats.forEach((format, f) -> mine.put(format, f.retainedDuplicate()));
            copy.put(version, mine);
        });
        return new StageFrames(update, versionBySegment, copy);
    }

    public void release() {
        byVersion.values().forEach(formats -> formats.values().forEach(ByteBuf::release));
    }

    private void encodeVersion(String bundleVersion) {
        if (byVersion.containsKey(bundleVersion)) {
            return;
        }
        ServerFrame frame = frameOf(bundleVersion);
        Map<WireFormat, ByteBuf> formats = new EnumMap<>(WireFormat.class);
        for (WireFormat format : WireFormat.values()) {
            formats.put(format, WireFrames.encode(format, frame));
        }
        byVersion.put(bundleVersion, formats);
    }

    private ServerFrame frameOf(String bundleVersion) {
        return ServerFrame.newBuilder().setStageUpdate(stamped(update, bundleVersion)).build();
    }
}
