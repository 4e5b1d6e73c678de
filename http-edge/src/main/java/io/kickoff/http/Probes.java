package io.kickoff.http;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What a service's operational endpoints report, the same for every server of the platform: {@value #HEALTHZ} (the
 * process answers), {@value #READYZ} (every named check is up) and {@value #METRICS} (Prometheus text, format 0.0.4).
 * Each server words the answers its own way (problem documents, plain text); what they say is decided here.
 *
 * <p>The checks are asked on an event loop: each must answer at once from state kept up to date elsewhere. A check
 * that throws counts as down.
 *
 * @param checks readiness checks by name, in the order answers list them
 * @param scrape the Prometheus text of the service's registry
 */
public record Probes(Map<String, BooleanSupplier> checks, Supplier<String> scrape) {
    public static final String HEALTHZ = "/healthz";
    public static final String READYZ = "/readyz";
    public static final String METRICS = "/metrics";
    /** Prometheus text format 0.0.4, what a Prometheus registry's {@code scrape()} produces. */
    public static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    public Probes {
        Objects.requireNonNull(scrape, "scrape");
        checks.forEach((name, check) -> Objects.requireNonNull(check, name));
        checks = Collections.unmodifiableMap(new LinkedHashMap<>(checks));
    }

    /** Whether each check is up now. */
    public Readiness readiness() {
        Map<String, Boolean> up = new LinkedHashMap<>();
        checks.forEach((name, check) -> up.put(name, ask(check)));
        return new Readiness(Collections.unmodifiableMap(up));
    }

    public String metrics() {
        return scrape.get();
    }

    private static boolean ask(BooleanSupplier check) {
        try {
            return check.getAsBoolean();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The checks as observed once. */
    public record Readiness(Map<String, Boolean> checks) {
        public boolean ready() {
            return !checks.containsValue(false);
        }

        /** The names of the checks that are down, in order. */
        public List<String> down() {
            return checks.entrySet().stream().filter(c -> !c.getValue()).map(Map.Entry::getKey).toList();
        }

        /** Each check as {@code up} or {@code down}, in order. */
        public Map<String, String> upOrDown() {
            Map<String, String> words = new LinkedHashMap<>();
            checks.forEach((name, up) -> words.put(name, up ? "up" : "down"));
            return words;
        }
    }
}
