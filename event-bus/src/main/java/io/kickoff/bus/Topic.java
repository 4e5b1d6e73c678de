package io.kickoff.bus;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A bus topic. Compacted topics keep only the latest record per key, so a reader from the
 * beginning learns the current state of every key rather than its whole history. A topic with a
 * {@code retention} keeps records that long when the bus creates it (zero: the broker's default), so a
 * reader from the beginning reads no more than that.
 */
public record Topic(String name, boolean compacted, Duration retention) {
    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]{1,200}");

    /** Stage updates, key = event id: the current stage of every event. */
    public static final Topic STAGES = new Topic("kickoff.stages", true);
    /** Bundle announcements with the bundle bytes, key = event id + ":" + segment. */
    public static final Topic BUNDLES = new Topic("kickoff.bundles", true);
    /** Per-node delivery statistics and presence. */
    public static final Topic DELIVERY = new Topic("kickoff.delivery", false);
    /** Device viewing signals (protobuf {@code Viewing}), key = device id, so one device's signals stay in order. */
    public static final Topic VIEWING = new Topic("kickoff.viewing", false);
    /** The latest audience of every event ({@code AudienceSnapshot}), key = event id. */
    public static final Topic AUDIENCE = new Topic("kickoff.audience", true);
    /** One {@code AudienceSnapshot} per event per second while anyone watches, key = event id; kept by time retention. */
    public static final Topic AUDIENCE_SERIES = new Topic("kickoff.audience.series", false,
            Duration.ofHours(2));
    /** Concurrent streams per account ({@code AccountStreams}), key = account; a tombstone when none are left. */
    public static final Topic AUDIENCE_ACCOUNTS = new Topic("kickoff.audience.accounts", true);

    public Topic(String name, boolean compacted) {
        this(name, compacted, Duration.ZERO);
    }

    public Topic {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(retention, "retention");
        if (retention.isNegative()) {
            throw new IllegalArgumentException("topic " + name + ": retention must not be negative, got " + retention);
        }
        if (!LEGAL.matcher(name).matches()) {
            throw new IllegalArgumentException("illegal topic name '" + name + "': use letters, digits, '.', '_' or '-'");
        }
    }
}
