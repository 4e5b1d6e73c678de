package io.kickoff.lsm.client;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The body of {@code POST /v1/events} (the {@code CreateEvent} schema of docs/admin-api.yaml). Only
 * {@code id}, {@code title} and {@code scheduledStart} are required; a null optional field is left out,
 * so the server's default applies.
 */
public record NewEventRequest(String id, String title, Instant scheduledStart, List<String> segments,
                              String catalogTitleId, Instant expectedEnd, Duration prefetchLead,
                              Duration preShowLead, Boolean autoEnd, Boolean allowPastStart) {

    public NewEventRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(scheduledStart, "scheduledStart");
        segments = segments == null ? null : List.copyOf(segments);
    }

    /** An event for everyone, starting at {@code scheduledStart}, with the server's default leads. */
    public static NewEventRequest of(String id, String title, Instant scheduledStart) {
        return new NewEventRequest(id, title, scheduledStart, null, null, null, null, null, null, null);
    }

    public NewEventRequest withSegments(List<String> segments) {
        return new NewEventRequest(id, title, scheduledStart, segments, catalogTitleId, expectedEnd, prefetchLead,
                preShowLead, autoEnd, allowPastStart);
    }

    /** PREFETCH opens {@code prefetchLead} before the start, PRE_SHOW {@code preShowLead} before it. */
    public NewEventRequest withLeads(Duration prefetchLead, Duration preShowLead) {
        return new NewEventRequest(id, title, scheduledStart, segments, catalogTitleId, expectedEnd, prefetchLead,
                preShowLead, autoEnd, allowPastStart);
    }

    ObjectNode toJson() {
        ObjectNode body = JsonNodeFactory.instance.objectNode()
                .put("id", id)
                .put("title", title)
                .put("scheduled_start", scheduledStart.toString());
        if (segments != null) {
            segments.forEach(body.putArray("segments")::add);
        }
        if (catalogTitleId != null) {
            body.put("catalog_title_id", catalogTitleId);
        }
        if (expectedEnd != null) {
            body.put("expected_end", expectedEnd.toString());
        }
        if (prefetchLead != null) {
            body.put("prefetch_lead", prefetchLead.toString());
        }
        if (preShowLead != null) {
            body.put("pre_show_lead", preShowLead.toString());
        }
        if (autoEnd != null) {
            body.put("auto_end", autoEnd);
        }
        if (allowPastStart != null) {
            body.put("allow_past_start", allowPastStart);
        }
        return body;
    }
}
