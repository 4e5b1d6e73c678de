package io.kickoff.lsm.event;

import io.kickoff.protocol.v1.Stage;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A live event as the Live State Manager knows it. {@code seq} counts accepted stage updates
 * (what devices compare); {@code version} counts every change to the record (what writers
 * compare, for optimistic concurrency).
 */
public record LiveEvent(String id, String title, List<String> segments, Instant scheduledStart,
                        Stage stage, long seq, long version) {

    private static final Pattern SLUG = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?");

    public LiveEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(stage, "stage");
        segments = List.copyOf(segments);
    }

    /** True if {@code id} is a valid event id: lower-case letters, digits and inner dashes, at most 64 characters. */
    public static boolean isValidId(String id) {
        return id != null && SLUG.matcher(id).matches();
    }

    /** A new event, scheduled, before any stage update. */
    public static LiveEvent scheduled(String id, String title, List<String> segments, Instant scheduledStart) {
        return new LiveEvent(id, title, segments, scheduledStart, Stage.SCHEDULED, 0, 1);
    }

    /** This event moved to {@code next}: one more stage update, one more version. */
    public LiveEvent movedTo(Stage next) {
        return new LiveEvent(id, title, segments, scheduledStart, next, seq + 1, version + 1);
    }
}
