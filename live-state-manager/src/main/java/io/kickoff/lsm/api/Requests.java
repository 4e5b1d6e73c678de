package io.kickoff.lsm.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kickoff.lsm.event.EventPatch;
import io.kickoff.lsm.event.InvalidScheduleException;
import io.kickoff.lsm.event.LiveEvent;
import io.kickoff.lsm.event.NewEvent;
import io.kickoff.lsm.event.Schedule;
import io.kickoff.protocol.v1.Stage;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Reads and validates the bodies and query parameters of the admin API. Errors are 400 problems naming the field. */
final class Requests {
    static final int MAX_TITLE = 200;
    static final int MAX_CATALOG_ID = 128;
    static final int MAX_SEGMENTS = 100;
    static final int MAX_SEGMENT = 64;
    static final int MAX_REASON = 64;
    static final int MAX_CURSOR = 512;
    static final int DEFAULT_LIMIT = 50;
    /** Audience segments: lower-case letters, digits, dots, underscores and dashes, starting with a letter or digit. */
    static final Pattern SEGMENT = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    static final String ALLOW_PAST_START = "allow_past_start";
    static final int MAX_LIMIT = 200;

    static final Set<String> CREATE_FIELDS = Set.of("id", "title", "catalog_title_id", "segments", "scheduled_start",
            "expected_end", "prefetch_lead", "pre_show_lead", "auto_end", ALLOW_PAST_START);
    static final Set<String> PATCH_FIELDS = Set.of("title", "scheduled_start", "expected_end", "prefetch_lead",
            "pre_show_lead", "auto_end", ALLOW_PAST_START);
    static final Set<String> TRANSITION_FIELDS = Set.of("to", "reason");
    static final Set<String> LIST_PARAMETERS = Set.of("stage", "limit", "cursor");
    static final Set<String> AUDIENCE_PARAMETERS = Set.of("since");

    /** Stages a request may name (the wire enum's placeholders are not stages). */
    static final List<String> STAGES = Arrays.stream(Stage.values())
            .filter(s -> s != Stage.STAGE_UNSPECIFIED && s != Stage.UNRECOGNIZED)
            .map(Enum::name).toList();

    private Requests() {
    }

    /** A transition a producer asks for. */
    record Transition(Stage to, String reason) {
    }

    /** A page of the event list. */
    record Listing(Optional<Stage> stage, String cursor, int limit) {
    }

    /** The event a create asks for; a {@code scheduled_start} before {@code now} needs {@code allow_past_start}. */
    static NewEvent newEvent(ObjectNode body, Instant now) {
        Json.Fields f = new Json.Fields(body, CREATE_FIELDS, true);
        String id = f.required("id", 64);
        if (!LiveEvent.isValidId(id)) {
            throw ApiError.invalid("id", "id must be a slug: lower-case letters, digits and inner dashes, 1 to 64 characters; got '" + id + "'");
        }
        String title = f.nonBlank("title", MAX_TITLE).orElseThrow(() -> ApiError.invalid("title", "title is required"));
        String catalogTitleId = f.string("catalog_title_id", MAX_CATALOG_ID).orElse("");
        List<String> segments = f.strings("segments", MAX_SEGMENTS, MAX_SEGMENT).orElse(List.of());
        for (String segment : segments) {
            if (!SEGMENT.matcher(segment).matches()) {
                throw ApiError.invalid("segments", "segments must match " + SEGMENT.pattern()
                        + " (lower-case letters, digits, '.', '_' and '-', at most 64 characters)");
            }
        }
        Instant start = f.timestamp("scheduled_start")
                .orElseThrow(() -> ApiError.invalid("scheduled_start", "scheduled_start is required"));
        requireFutureStart(start, now, f);
        Instant end = f.timestamp("expected_end").orElse(null);
        Duration prefetch = f.duration("prefetch_lead").orElse(Schedule.DEFAULT_PREFETCH_LEAD);
        Duration preShow = f.duration("pre_show_lead").orElse(Schedule.DEFAULT_PRE_SHOW_LEAD);
        boolean autoEnd = f.bool("auto_end").orElse(false);
        return new NewEvent(id, title, catalogTitleId, segments, schedule(start, end, prefetch, preShow, autoEnd));
    }

    /** The change a PATCH asks for; moving {@code scheduled_start} before {@code now} needs {@code allow_past_start}. */
    static EventPatch patch(ObjectNode body, Instant now) {
        Json.Fields f = new Json.Fields(body, PATCH_FIELDS, false);
        Optional<Instant> start = f.timestamp("scheduled_start");
        if (start.isPresent()) {
            requireFutureStart(start.get(), now, f);
        } else {
            f.bool(ALLOW_PAST_START);
        }
        return new EventPatch(f.nonBlank("title", MAX_TITLE), start, f.timestamp("expected_end"),
                f.duration("prefetch_lead"), f.duration("pre_show_lead"), f.bool("auto_end"));
    }

    /**
     * A start in the past would run every stage at once ("live now" on every device from a typo), so it is
     * refused unless the request says it means it.
     */
    private static void requireFutureStart(Instant start, Instant now, Json.Fields f) {
        boolean allowPast = f.bool(ALLOW_PAST_START).orElse(false);
        if (start.isBefore(now) && !allowPast) {
            throw ApiError.invalid("scheduled_start", "scheduled_start " + start + " is in the past (now is " + now
                    + "); to start at once, send \"allow_past_start\": true");
        }
    }

    static Transition transition(ObjectNode body) {
        Json.Fields f = new Json.Fields(body, TRANSITION_FIELDS, true);
        String to = f.required("to", 32);
        String reason = f.string("reason", MAX_REASON).map(String::strip).orElse("");
        return new Transition(stage("to", to), reason);
    }

    static Listing listing(Map<String, List<String>> query) {
        String stage = single(query, "stage");
        String limit = single(query, "limit");
        String cursor = single(query, "cursor");
        int n = DEFAULT_LIMIT;
        if (limit != null) {
            try {
                n = Integer.parseInt(limit);
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 1 || n > MAX_LIMIT) {
                throw ApiError.invalid("limit", "limit must be a whole number from 1 to " + MAX_LIMIT + "; got '" + limit + "'");
            }
        }
        if (cursor != null && cursor.length() > MAX_CURSOR) {
            throw ApiError.invalid("cursor", "cursor is not one this API handed out");
        }
        return new Listing(Optional.ofNullable(stage).map(s -> stage("stage", s)), cursor == null ? "" : cursor, n);
    }

    /** The {@code since} of an audience read: an RFC 3339 timestamp; empty when not given. */
    static Optional<Instant> since(Map<String, List<String>> query) {
        String since = single(query, "since");
        return since == null ? Optional.empty() : Optional.of(Json.rfc3339("since", since));
    }

    /** Refuses query parameters a route does not know. */
    static void onlyParameters(Map<String, List<String>> query, Set<String> known) {
        for (String name : query.keySet()) {
            if (!known.contains(name)) {
                throw ApiError.invalid(name, known.isEmpty() ? "this route takes no query parameters; got '" + name + "'"
                        : "unknown query parameter '" + name + "'; known: "
                        + known.stream().sorted().collect(Collectors.joining(", ")));
            }
        }
    }

    static Stage stage(String field, String name) {
        if (!STAGES.contains(name)) {
            throw ApiError.invalid(field, "unknown stage '" + name + "'; one of " + String.join(", ", STAGES));
        }
        return Stage.valueOf(name);
    }

    private static String single(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw ApiError.invalid(name, name + " may be given once");
        }
        return values.get(0);
    }

    private static Schedule schedule(Instant start, Instant end, Duration prefetch, Duration preShow, boolean autoEnd) {
        try {
            return new Schedule(start, end, prefetch, preShow, autoEnd);
        } catch (InvalidScheduleException e) {
            throw ApiError.invalid(e.field(), e.getMessage());
        }
    }
}
