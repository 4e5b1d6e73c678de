package io.kickoff.prefetch.push;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The configured expected audience: each segment's share of an event's audience, for every event and per event
 * ({@code kickoff prefetch --audience-estimate}). Used while an event has no observed audience yet (before LIVE, or
 * without the audience service).
 *
 * <p>Written as entries {@code [EVENT/]SEGMENT=WEIGHT}, comma-separated or repeated: {@code us-en=0.6,uk-en=0.3} for
 * every event, {@code final/us-en=0.8,final/uk-en=0.2} for the event {@code final} alone. An event with entries of its
 * own uses only those. Weights are shares of the event's audience (any non-negative numbers; only their ratios
 * matter); segments of the event that no entry names share equally what the named ones leave of 1 (nothing if they sum
 * to 1 or more).
 *
 * @param everyEvent segment → weight, for events without entries of their own
 * @param perEvent   event id → segment → weight
 */
public record AudienceEstimate(Map<String, Double> everyEvent, Map<String, Map<String, Double>> perEvent) {
    private static final Pattern ENTRY = Pattern.compile(
            "(?:([a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)/)?([A-Za-z0-9._:-]{1,64})=([0-9]+(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)");

    public AudienceEstimate {
        everyEvent = Map.copyOf(everyEvent);
        Map<String, Map<String, Double>> copy = new LinkedHashMap<>();
        perEvent.forEach((event, weights) -> copy.put(event, Map.copyOf(weights)));
        perEvent = Map.copyOf(copy);
    }

    /** No estimate: every event falls back to equal shares until its audience is observed. */
    public static AudienceEstimate none() {
        return new AudienceEstimate(Map.of(), Map.of());
    }

    /**
     * Reads entries as the option takes them (each may hold several, comma-separated).
     *
     * @throws IllegalArgumentException naming the entry that is not {@code [EVENT/]SEGMENT=WEIGHT} or is given twice
     */
    public static AudienceEstimate parse(Collection<String> specs) {
        Map<String, Double> every = new LinkedHashMap<>();
        Map<String, Map<String, Double>> perEvent = new LinkedHashMap<>();
        for (String spec : specs) {
            for (String raw : spec.split(",")) {
                String entry = raw.strip();
                if (entry.isEmpty()) {
                    continue;
                }
                Matcher m = ENTRY.matcher(entry);
                double weight = m.matches() ? Double.parseDouble(m.group(3)) : Double.NaN;
                if (!Double.isFinite(weight)) {
                    throw new IllegalArgumentException("audience estimate '" + entry
                            + "' is not [EVENT/]SEGMENT=WEIGHT with a weight >= 0 (e.g. us-en=0.6 or final/us-en=0.8)");
                }
                Map<String, Double> into = m.group(1) == null ? every
                        : perEvent.computeIfAbsent(m.group(1), e -> new LinkedHashMap<>());
                if (into.put(m.group(2), weight) != null) {
                    throw new IllegalArgumentException("audience estimate for '"
                            + (m.group(1) == null ? "" : m.group(1) + "/") + m.group(2) + "' given twice");
                }
            }
        }
        return new AudienceEstimate(every, perEvent);
    }

    /** Whether no weight is configured at all. */
    public boolean isEmpty() {
        return everyEvent.isEmpty() && perEvent.isEmpty();
    }

    /**
     * Each of {@code segments}' expected share of the event's audience, in the order given: its weight, or for an
     * unnamed segment an equal part of what the named ones leave of 1. All zero if nothing is configured for the event.
     */
    public Map<String, Double> shares(String eventId, List<String> segments) {
        Map<String, Double> weights = perEvent.getOrDefault(eventId, everyEvent);
        double named = weights.values().stream().mapToDouble(Double::doubleValue).sum();
        long unnamed = segments.stream().distinct().filter(s -> !weights.containsKey(s)).count();
        double rest = weights.isEmpty() || unnamed == 0 ? 0 : Math.max(0, 1 - named) / unnamed;
        Map<String, Double> shares = new LinkedHashMap<>();
        for (String segment : segments) {
            shares.put(segment, weights.getOrDefault(segment, rest));
        }
        return shares;
    }
}
