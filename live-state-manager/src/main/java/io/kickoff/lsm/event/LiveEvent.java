package io.kickoff.lsm.event;

import io.kickoff.protocol.Stages;
import io.kickoff.protocol.v1.Stage;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A live event as the Live State Manager knows it. {@code seq} counts accepted stage updates
 * (what devices compare); {@code version} counts every change to the record (what writers
 * compare, for optimistic concurrency, and the admin API's ETag).
 *
 * @param catalogTitleId the catalog title the event is about (may be empty)
 * @param segments       audience segments; empty means everyone
 * @param bundleVersion  version of the event's bundles, when the prefetch service has made them (may be empty)
 */
public record LiveEvent(String id, String title, String catalogTitleId, List<String> segments, Schedule schedule,
                        Stage stage, long seq, long version, String bundleVersion, Instant updatedAt) {

    private static final Pattern SLUG = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?");

    public LiveEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(updatedAt, "updatedAt");
        catalogTitleId = catalogTitleId == null ? "" : catalogTitleId;
        bundleVersion = bundleVersion == null ? "" : bundleVersion;
        segments = List.copyOf(segments);
    }

    /** True if {@code id} is a valid event id: lower-case letters, digits and inner dashes, at most 64 characters. */
    public static boolean isValidId(String id) {
        return id != null && SLUG.matcher(id).matches();
    }

    /** A new event, scheduled, before any stage update. */
    public static LiveEvent scheduled(String id, String title, String catalogTitleId, List<String> segments,
                                      Schedule schedule, Instant now) {
        return new LiveEvent(id, title, catalogTitleId, segments, schedule, Stage.SCHEDULED, 0, 1, "", now);
    }

    /** This event moved to {@code next}: one more stage update, one more version. */
    public LiveEvent movedTo(Stage next, Instant now) {
        return new LiveEvent(id, title, catalogTitleId, segments, schedule, next, seq + 1, version + 1, bundleVersion, now);
    }

    /** The transition the clock will make next, if any. */
    public Optional<Schedule.Timer> nextTimer() {
        return schedule.next(stage);
    }

    /** The stages a producer may move this event to now, in stage order (none once it is final). */
    public List<Stage> nextStages() {
        return StageTransitions.allowedFrom(stage).stream().sorted(java.util.Comparator.comparingInt(Stage::getNumber)).toList();
    }

    public boolean isFinal() {
        return Stages.isFinal(stage);
    }
}
