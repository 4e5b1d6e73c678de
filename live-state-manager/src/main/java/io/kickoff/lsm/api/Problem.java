package io.kickoff.lsm.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * An error answer as {@code application/problem+json} (RFC 9457); {@code extensions} name the
 * field or rule involved, such as the current stage and the allowed targets.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail,
                      @com.fasterxml.jackson.annotation.JsonIgnore Map<String, Object> extensions) {

    public static Problem of(int status, String slug, String title, String detail) {
        return new Problem("https://kickoff.io/problems/" + slug, title, status, detail, Map.of());
    }

    public Problem with(Map<String, Object> more) {
        return new Problem(type, title, status, detail, more);
    }

    @JsonAnyGetter
    public Map<String, Object> any() {
        return extensions;
    }
}
