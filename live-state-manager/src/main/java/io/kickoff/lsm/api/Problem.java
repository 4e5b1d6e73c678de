package io.kickoff.lsm.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error answer as {@code application/problem+json} (RFC 9457). Extension members name the
 * field or the rule involved: {@code field}, {@code current_stage} and {@code allowed},
 * {@code current_etag}, {@code checks}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"type", "title", "status", "detail", "instance"})
record Problem(String type, String title, int status, String detail, String instance,
                      @JsonIgnore Map<String, Object> extensions) {
    public static final String MEDIA_TYPE = "application/problem+json";
    static final String TYPE_BASE = "https://kickoff.io/problems/";

    public Problem {
        extensions = extensions == null ? Map.of() : Map.copyOf(extensions);
    }

    public static Problem of(int status, String slug, String title, String detail) {
        return new Problem(TYPE_BASE + slug, title, status, detail, null, Map.of());
    }

    /** This problem with one more extension member. */
    public Problem with(String name, Object value) {
        Map<String, Object> more = new LinkedHashMap<>(extensions);
        more.put(name, value);
        return new Problem(type, title, status, detail, instance, more);
    }

    /** This problem about {@code path}. */
    public Problem at(String path) {
        return new Problem(type, title, status, detail, path, extensions);
    }

    /** This problem as an answer, with {@code headers} (e.g. {@code Retry-After}, {@code Allow}). */
    Answer answer(Map<String, String> headers) {
        return Answer.problem(this, headers);
    }

    @JsonAnyGetter
    public Map<String, Object> any() {
        return new java.util.TreeMap<>(extensions);
    }
}
