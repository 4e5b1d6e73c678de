package io.kickoff.launcher;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kickoff.simulator.LatencyHistogram;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code kickoff merge-reports} reads from one {@code kickoff simulate --report-json} file (see
 * {@link SimulationReport}): the client's device count and, per watched seq, its counts, its time to
 * 100 % and its latencies.
 *
 * @param source     the file, for messages
 * @param devices    the client's devices
 * @param broadcasts watched seq → what the client saw of it
 */
record ClientReport(String source, int devices, Map<Long, Part> broadcasts) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One client's figures of one broadcast.
     *
     * @param timeTo100Ms null unless every device of the client reached the seq
     * @param issuedAtUs  the update's {@code issued_at} in epoch microseconds, null if no device applied it
     */
    record Part(long seq, long reached, long applied, Double timeTo100Ms, Long issuedAtUs, LatencyHistogram latencies) {
    }

    /**
     * Reads a report file.
     *
     * @throws IllegalArgumentException naming the file and what is wrong: unreadable, not JSON, or not a report
     */
    static ClientReport read(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read it (" + e + ")");
        }
        return parse(file.toString(), root);
    }

    /** The report in {@code root}; {@code source} names it in messages. */
    static ClientReport parse(String source, JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(source + ": not a kickoff simulate --report-json report (not a JSON object)");
        }
        int devices = (int) count(source, root, "devices");
        JsonNode list = root.get("broadcasts");
        if (list == null || !list.isArray()) {
            throw new IllegalArgumentException(source + ": not a kickoff simulate --report-json report (no \"broadcasts\" list)");
        }
        Map<Long, Part> broadcasts = new LinkedHashMap<>();
        for (JsonNode b : list) {
            long seq = count(source, b, "seq");
            String where = source + " seq " + seq;
            Part part = new Part(seq, count(where, b, "reached"), count(where, b, "applied"),
                    nullableNumber(where, b, "time_to_100_ms") == null ? null : b.get("time_to_100_ms").asDouble(),
                    nullableNumber(where, b, "issued_at_us") == null ? null : b.get("issued_at_us").asLong(),
                    latencies(where, b));
            if (broadcasts.putIfAbsent(seq, part) != null) {
                throw new IllegalArgumentException(where + ": reported twice");
            }
        }
        return new ClientReport(source, devices, broadcasts);
    }

    /** The histogram, or, in a report of an older client, the exact list of {@code --report-latencies}. */
    private static LatencyHistogram latencies(String where, JsonNode b) {
        JsonNode encoded = b.get("latency_histogram");
        if (encoded != null && encoded.isTextual()) {
            try {
                return LatencyHistogram.decode(encoded.asText(), count(where, b, "latency_max_us"));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": latency_histogram: " + e.getMessage());
            }
        }
        JsonNode list = b.get("latencies_us");
        if (list != null && list.isArray()) {
            long[] values = new long[list.size()];
            for (int i = 0; i < values.length; i++) {
                if (!list.get(i).isIntegralNumber() || list.get(i).asLong() < 0) {
                    throw new IllegalArgumentException(where + ": latencies_us holds " + list.get(i) + ", not a latency");
                }
                values[i] = list.get(i).asLong();
            }
            return LatencyHistogram.of(values);
        }
        throw new IllegalArgumentException(where + ": no latency_histogram (a report of kickoff simulate --watch has one)");
    }

    private static long count(String where, JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isIntegralNumber() || value.asLong() < 0) {
            throw new IllegalArgumentException(where + ": \"" + field + "\" must be a whole number >= 0, got " + value);
        }
        return value.asLong();
    }

    private static JsonNode nullableNumber(String where, JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber()) {
            throw new IllegalArgumentException(where + ": \"" + field + "\" must be a number or null, got " + value);
        }
        return value;
    }
}
