package io.kickoff.launcher;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a fleet's devices spread over audience segments: {@code us-en-adult=3,br-pt-adult=2,us-en-teen=1} gives device
 * {@code i} the segment at {@code i mod 6} of {@code [us, us, us, br, br, teen]}, so every prefix of the fleet (the
 * players of a {@link io.kickoff.simulator.PlayPlan} are the first devices) has the same mix. A weight is a whole
 * number from 1 to 100; a name without one weighs 1.
 */
record SegmentMix(List<String> pattern) {
    SegmentMix {
        if (pattern.isEmpty()) {
            throw new IllegalArgumentException("no segment");
        }
        pattern = List.copyOf(pattern);
    }

    static SegmentMix parse(String text) {
        List<String> pattern = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (String part : text.split(",")) {
            String item = part.strip();
            if (item.isEmpty()) {
                throw new IllegalArgumentException("an empty segment in '" + text + "'");
            }
            int eq = item.indexOf('=');
            String name = (eq < 0 ? item : item.substring(0, eq)).strip();
            int weight = 1;
            if (eq >= 0) {
                try {
                    weight = Integer.parseInt(item.substring(eq + 1).strip());
                } catch (NumberFormatException e) {
                    weight = 0;
                }
                if (weight < 1 || weight > 100) {
                    throw new IllegalArgumentException("the weight of segment '" + name
                            + "' must be a whole number from 1 to 100, got '" + item.substring(eq + 1) + "'");
                }
            }
            if (name.isEmpty()) {
                throw new IllegalArgumentException("a weight without a segment name in '" + text + "'");
            }
            if (seen.contains(name)) {
                throw new IllegalArgumentException("segment '" + name + "' named twice");
            }
            seen.add(name);
            pattern.addAll(Collections.nCopies(weight, name));
        }
        return new SegmentMix(pattern);
    }

    /** The segment of device {@code index}. */
    String segmentOf(int index) {
        return pattern.get(index % pattern.size());
    }

    /** Segment names, in the order given. */
    List<String> names() {
        return pattern.stream().distinct().toList();
    }

    /** Segment → how many of devices {@code 0 .. count-1} are in it, every segment present (0 if none). */
    Map<String, Long> countsOfFirst(int count) {
        Map<String, Long> counts = new LinkedHashMap<>();
        names().forEach(name -> counts.put(name, 0L));
        for (int i = 0; i < count; i++) {
            counts.merge(segmentOf(i), 1L, Long::sum);
        }
        return counts;
    }

    @Override
    public String toString() {
        Map<String, Long> weights = new LinkedHashMap<>();
        pattern.forEach(name -> weights.merge(name, 1L, Long::sum));
        return String.join(",", weights.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
    }
}
