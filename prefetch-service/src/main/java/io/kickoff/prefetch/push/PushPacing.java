package io.kickoff.prefetch.push;

import java.time.Duration;
import java.util.Objects;

/**
 * How the prefetch node orders and paces the push of an event's bundles (see {@link PushPriorities}).
 *
 * @param estimate        the configured expected audience, used until an event's audience is observed
 * @param minWindowShare  the smallest part of the gateways' push window a segment's push is spread over, in (0, 1]:
 *                        a segment with a tiny expected audience still goes out over this part, not in one burst
 * @param maxSnapshotAge  an observed audience older than this is not trusted (the audience service stopped, or the
 *                        event's audience is from long ago); the estimate is used instead
 */
public record PushPacing(AudienceEstimate estimate, double minWindowShare, Duration maxSnapshotAge) {
    public static final double DEFAULT_MIN_WINDOW_SHARE = 0.1;
    public static final Duration DEFAULT_MAX_SNAPSHOT_AGE = Duration.ofHours(1);

    public PushPacing {
        Objects.requireNonNull(estimate, "estimate");
        Objects.requireNonNull(maxSnapshotAge, "maxSnapshotAge");
        if (!(minWindowShare > 0 && minWindowShare <= 1)) {
            throw new IllegalArgumentException("the smallest push window share must be in (0, 1], got " + minWindowShare);
        }
        if (maxSnapshotAge.isNegative() || maxSnapshotAge.isZero()) {
            throw new IllegalArgumentException("the audience snapshot age limit must be positive, got " + maxSnapshotAge);
        }
    }

    /** No estimate, 0.1 of the window at least, snapshots trusted for an hour. */
    public static PushPacing defaults() {
        return new PushPacing(AudienceEstimate.none(), DEFAULT_MIN_WINDOW_SHARE, DEFAULT_MAX_SNAPSHOT_AGE);
    }

    public PushPacing withEstimate(AudienceEstimate estimate) {
        return new PushPacing(estimate, minWindowShare, maxSnapshotAge);
    }

    public PushPacing withMinWindowShare(double share) {
        return new PushPacing(estimate, share, maxSnapshotAge);
    }
}
