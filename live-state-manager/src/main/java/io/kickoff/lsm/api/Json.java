package io.kickoff.lsm.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import io.kickoff.lsm.event.Schedule;

/**
 * JSON of the admin API: one mapper (snake_case, strict) and a reader for request objects that
 * names the property at fault in every error.
 */
final class Json {
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /**
     * {@code text} as an RFC 3339 timestamp with an offset, e.g. {@code 2026-11-21T21:00:00Z}, from 0001-01-01T00:00:00Z
     * to 9999-12-31T23:59:59.999999999Z (the range of RFC 3339 and of protobuf {@code Timestamp}); a 400 naming
     * {@code name} otherwise.
     */
    static Instant rfc3339(String name, String text) {
        Instant instant;
        try {
            instant = text.length() <= 64 && RFC3339_YEAR.matcher(text).matches()
                    ? OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant() : null;
        } catch (DateTimeException e) {
            instant = null;
        }
        if (instant == null) {
            throw ApiError.invalid(name, name + " must be an RFC 3339 timestamp with an offset, e.g. 2026-11-21T21:00:00Z; got '"
                    + (text.length() <= 64 ? text : text.substring(0, 64) + "...") + "'");
        }
        if (!Schedule.isRepresentable(instant)) {
            throw ApiError.invalid(name, name + " must lie between " + Schedule.EARLIEST + " and " + Schedule.LATEST
                    + "; got '" + text + "'");
        }
        return instant;
    }

    /** Writes maps with their keys sorted: the canonical form that idempotency compares. */
    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();
    /** RFC 3339 dates have a four-digit year (no sign, no fifth digit). */
    private static final Pattern RFC3339_YEAR = Pattern.compile("\\d{4}-.*", Pattern.DOTALL);

    private Json() {
    }

    /** {@code node} with every object's keys sorted and no whitespace: equal for equal JSON, whatever the key order. */
    static byte[] canonical(JsonNode node) {
        try {
            return CANONICAL.writeValueAsBytes(CANONICAL.treeToValue(node, Object.class));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON tree", e);
        }
    }

    static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /** Parses a request body that must be one JSON object. */
    static ObjectNode object(byte[] body) {
        if (body.length == 0) {
            throw ApiError.malformed("a JSON object is required as the request body");
        }
        JsonNode tree;
        try {
            tree = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            throw ApiError.malformed("the body is not valid JSON: " + e.getOriginalMessage() + where);
        } catch (java.io.IOException e) {
            throw ApiError.malformed("the body is not valid JSON");
        }
        if (tree == null || !tree.isObject()) {
            throw ApiError.malformed("the body must be a JSON object");
        }
        return (ObjectNode) tree;
    }

    /**
     * Typed access to the properties of a request object. Unknown properties are refused up
     * front. {@code null} is refused unless {@code nullIsAbsent} (then it reads as "not given").
     */
    static final class Fields {
        private final ObjectNode node;
        private final boolean nullIsAbsent;

        Fields(ObjectNode node, Set<String> known, boolean nullIsAbsent) {
            this.node = node;
            this.nullIsAbsent = nullIsAbsent;
            for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!known.contains(name)) {
                    throw ApiError.invalid(name, "unknown property '" + name + "'; known: " + String.join(", ", known.stream().sorted().toList()));
                }
            }
        }

        boolean has(String name) {
            return value(name).isPresent();
        }

        private Optional<JsonNode> value(String name) {
            JsonNode v = node.get(name);
            if (v == null) {
                return Optional.empty();
            }
            if (v.isNull()) {
                if (nullIsAbsent) {
                    return Optional.empty();
                }
                throw ApiError.invalid(name, name + " must not be null (leave it out to keep it as it is)");
            }
            return Optional.of(v);
        }

        Optional<String> string(String name, int maxLength) {
            return value(name).map(v -> {
                if (!v.isTextual()) {
                    throw ApiError.invalid(name, name + " must be a string");
                }
                String s = v.textValue();
                if (s.length() > maxLength) {
                    throw ApiError.invalid(name, name + " must be at most " + maxLength + " characters");
                }
                return s;
            });
        }

        String required(String name, int maxLength) {
            return string(name, maxLength).orElseThrow(() -> ApiError.invalid(name, name + " is required"));
        }

        Optional<String> nonBlank(String name, int maxLength) {
            return string(name, maxLength).map(s -> {
                if (s.isBlank()) {
                    throw ApiError.invalid(name, name + " must not be blank");
                }
                return s;
            });
        }

        Optional<Boolean> bool(String name) {
            return value(name).map(v -> {
                if (!v.isBoolean()) {
                    throw ApiError.invalid(name, name + " must be true or false");
                }
                return v.booleanValue();
            });
        }

        /**
         * An RFC 3339 timestamp with an offset, e.g. {@code 2026-11-21T21:00:00Z}, from 0001-01-01T00:00:00Z to
         * 9999-12-31T23:59:59.999999999Z (the range of RFC 3339 and of protobuf {@code Timestamp}).
         */
        Optional<Instant> timestamp(String name) {
            return string(name, 64).map(s -> rfc3339(name, s));
        }

        /** An ISO-8601 duration that is not negative, e.g. {@code PT30M}. */
        Optional<Duration> duration(String name) {
            return string(name, 64).map(s -> {
                Duration d;
                try {
                    d = Duration.parse(s);
                } catch (DateTimeException | ArithmeticException e) {
                    throw ApiError.invalid(name, name + " must be an ISO-8601 duration, e.g. PT30M; got '" + s + "'");
                }
                if (d.isNegative()) {
                    throw ApiError.invalid(name, name + " must not be negative");
                }
                return d;
            });
        }

        /** An array of non-blank strings. */
        Optional<List<String>> strings(String name, int maxItems, int maxLength) {
            return value(name).map(v -> {
                if (!v.isArray()) {
                    throw ApiError.invalid(name, name + " must be an array of strings");
                }
                if (v.size() > maxItems) {
                    throw ApiError.invalid(name, name + " must have at most " + maxItems + " items");
                }
                List<String> out = new ArrayList<>();
                for (JsonNode item : v) {
                    if (!item.isTextual() || item.textValue().isBlank() || item.textValue().length() > maxLength) {
                        throw ApiError.invalid(name, name + " must hold non-blank strings of at most " + maxLength + " characters");
                    }
                    if (!out.contains(item.textValue())) {
                        out.add(item.textValue());
                    }
                }
                return out;
            });
        }
    }
}
