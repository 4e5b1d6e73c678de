package io.kickoff.lsm.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.kickoff.lsm.event.HistoryEntry;
import io.kickoff.lsm.event.LiveEvent;
import io.kickoff.lsm.event.Schedule;
import io.kickoff.lsm.idempotency.StoredResponse;
import io.kickoff.protocol.v1.Stage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The JSON forms of what the Redis store keeps. They are separate records, not the domain records themselves, so that
 * a change to a domain class cannot silently change what is on disk. Instants and durations are ISO-8601 text: exact
 * to the nanosecond and readable in {@code redis-cli}. Unknown fields are ignored, so a newer writer does not break an
 * older reader.
 */
final class StoredForms {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
            .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL,
                    JsonInclude.Include.NON_NULL))
            .build();

    private StoredForms() {
    }

    record EventForm(String id, String title, String catalogTitleId, List<String> segments, Instant start,
                     Instant expectedEnd, Duration prefetchLead, Duration preShowLead, boolean autoEnd, String stage,
                     long seq, long version, String bundleVersion, Instant updatedAt) {
    }

    record HistoryForm(long seq, long version, String stage, String reason, String actor, Instant at,
                       Instant scheduledStart) {
    }

    record ResponseForm(String requestHash, int status, String contentType, String etag, byte[] body) {
    }

    static byte[] event(LiveEvent e) {
        Schedule s = e.schedule();
        return write(new EventForm(e.id(), e.title(), e.catalogTitleId(), e.segments(), s.start(), s.expectedEnd(),
                s.prefetchLead(), s.preShowLead(), s.autoEnd(), e.stage().name(), e.seq(), e.version(),
                e.bundleVersion(), e.updatedAt()));
    }

    static LiveEvent event(byte[] bytes) {
        EventForm f = read(bytes, EventForm.class);
        return new LiveEvent(f.id(), f.title(), f.catalogTitleId(), f.segments() == null ? List.of() : f.segments(),
                new Schedule(f.start(), f.expectedEnd(), f.prefetchLead(), f.preShowLead(), f.autoEnd()),
                Stage.valueOf(f.stage()), f.seq(), f.version(), f.bundleVersion(), f.updatedAt());
    }

    static byte[] history(HistoryEntry h) {
        return write(new HistoryForm(h.seq(), h.version(), h.stage().name(), h.reason(), h.actor(), h.at(),
                h.scheduledStart()));
    }

    static HistoryEntry history(byte[] bytes) {
        HistoryForm f = read(bytes, HistoryForm.class);
        return new HistoryEntry(f.seq(), f.version(), Stage.valueOf(f.stage()), f.reason(), f.actor(), f.at(),
                f.scheduledStart());
    }

    static byte[] response(StoredResponse r) {
        return write(new ResponseForm(r.requestHash(), r.status(), r.contentType(), r.etag(), r.body()));
    }

    static StoredResponse response(byte[] bytes) {
        ResponseForm f = read(bytes, ResponseForm.class);
        return new StoredResponse(f.requestHash(), f.status(), f.contentType(), f.etag(), f.body());
    }

    private static byte[] write(Object form) {
        try {
            return JSON.writeValueAsBytes(form);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + form.getClass().getSimpleName(), e);
        }
    }

    private static <T> T read(byte[] bytes, Class<T> type) {
        try {
            return JSON.readValue(bytes, type);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot decode a stored " + type.getSimpleName(), e);
        }
    }
}
