package io.kickoff.testkit;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (0.0.4) and a check of the project's naming rules:
 * <ul>
 *   <li>every family has {@code # HELP} (non-empty) and {@code # TYPE}, given before its samples, once;</li>
 *   <li>every sample belongs to a declared family: a counter's samples end in {@code _total}, a histogram's are
 *       {@code _bucket} (with {@code le}, ending in {@code +Inf}), {@code _sum} and {@code _count};</li>
 *   <li>no client-side quantiles (no {@code summary} with a {@code quantile} label);</li>
 *   <li>base units in names: no abbreviated or scaled units ({@code _ms}, {@code _milliseconds}, {@code _ns},
 *       {@code _kb}, ...); a histogram is in {@code _seconds} or {@code _bytes}; a name about time (latency,
 *       duration, age, lag) says {@code _seconds};</li>
 *   <li>valid metric and label names, values that parse, no sample given twice.</li>
 * </ul>
 */
public final class MetricsExposition {
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern SCALED_UNIT = Pattern.compile(
            "_(ms|millis|milliseconds|us|micros|microseconds|ns|nanos|nanoseconds|minutes|hours|days|kb|kib|mb|mib|gb|gib|kilobytes|megabytes|percent)(_|$)");
    private static final Pattern ABOUT_TIME = Pattern.compile("(^|_)(latency|duration|age|lag|elapsed)(_|$)");

    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {
        public String label(String name) {
            return labels.get(name);
        }
    }

    /** One metric family: its name, type, help text and samples. */
    public record Family(String name, String type, String help, List<Sample> samples) {
    }

    private final Map<String, Family> families;
    private final List<String> problems;

    private MetricsExposition(Map<String, Family> families, List<String> problems) {
        this.families = families;
        this.problems = problems;
    }

    /**
     * Reads {@code text} and fails with an {@link AssertionError} naming each problem if it breaks the exposition
     * format or the naming rules, or if {@code promtool check metrics} (where it is installed; {@link PromTool#find()}
     * says on stderr when it is not) finds anything: what every service's {@code /metrics} test asks first.
     */
    public static MetricsExposition checked(String text) throws java.io.IOException, InterruptedException {
        MetricsExposition metrics = parse(text);
        if (!metrics.problems().isEmpty()) {
            throw new AssertionError("the metrics break the exposition or naming rules: " + metrics.problems());
        }
        java.util.Optional<PromTool> promtool = PromTool.find();
        if (promtool.isPresent()) {
            PromTool.Result lint = promtool.get().checkMetrics(text);
            if (!lint.ok() || !lint.output().isEmpty()) {
                throw new AssertionError("promtool check metrics: " + lint.output());
            }
        }
        return metrics;
    }

    /** Reads {@code text}; what breaks the format or the rules is in {@link #problems()}. */
    public static MetricsExposition parse(String text) {
        Map<String, String> types = new LinkedHashMap<>();
        Map<String, String> helps = new LinkedHashMap<>();
        Map<String, List<Sample>> samples = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int lineNo = 0;
        for (String line : text.split("\n", -1)) {
            lineNo++;
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                String[] parts = line.split(" ", 4);
                if (parts.length >= 3 && (parts[1].equals("HELP") || parts[1].equals("TYPE"))) {
                    String name = parts[2];
                    String rest = parts.length == 4 ? parts[3].trim() : "";
                    Map<String, String> into = parts[1].equals("HELP") ? helps : types;
                    if (into.put(name, rest) != null) {
                        problems.add("line " + lineNo + ": second # " + parts[1] + " for " + name);
                    }
                    if (samples.containsKey(name)) {
                        problems.add("line " + lineNo + ": # " + parts[1] + " for " + name + " after its samples");
                    }
                    if (parts[1].equals("TYPE") && !Set.of("counter", "gauge", "histogram", "summary", "untyped").contains(rest)) {
                        problems.add("line " + lineNo + ": unknown type '" + rest + "' for " + name);
                    }
                }
                continue;
            }
            Sample sample;
            try {
                sample = sample(line);
            } catch (IllegalArgumentException e) {
                problems.add("line " + lineNo + ": " + e.getMessage() + ": " + line);
                continue;
            }
            if (!seen.add(sample.name() + new TreeMap<>(sample.labels()))) {
                problems.add("line " + lineNo + ": sample given twice: " + line);
            }
            String family = familyOf(sample.name(), types);
            if (family == null) {
                problems.add("line " + lineNo + ": sample " + sample.name() + " of no declared family (# TYPE missing)");
                continue;
            }
            samples.computeIfAbsent(family, f -> new ArrayList<>()).add(sample);
        }
        Map<String, Family> families = new TreeMap<>();
        for (Map.Entry<String, String> t : types.entrySet()) {
            String name = t.getKey();
            String help = helps.get(name);
            if (help == null || help.isBlank()) {
                problems.add(name + ": no help text");
            }
            families.put(name, new Family(name, t.getValue(), help, samples.getOrDefault(name, List.of())));
        }
        for (String name : helps.keySet()) {
            if (!types.containsKey(name)) {
                problems.add(name + ": # HELP without # TYPE");
            }
        }
        families.values().forEach(f -> problems.addAll(rules(f)));
        return new MetricsExposition(families, problems);
    }

    private static Sample sample(String line) {
        Matcher name = METRIC_NAME.matcher(line);
        if (!name.lookingAt()) {
            throw new IllegalArgumentException("invalid metric name");
        }
        int at = name.end();
        Map<String, String> labels = new LinkedHashMap<>();
        if (at < line.length() && line.charAt(at) == '{') {
            at++;
            while (at < line.length() && line.charAt(at) != '}') {
                Matcher labelName = LABEL_NAME.matcher(line).region(at, line.length());
                if (!labelName.lookingAt() || labelName.end() + 1 >= line.length()
                        || line.charAt(labelName.end()) != '=' || line.charAt(labelName.end() + 1) != '"') {
                    throw new IllegalArgumentException("bad label at '" + line.substring(at) + "'");
                }
                StringBuilder value = new StringBuilder();
                int i = labelName.end() + 2;
                for (; i < line.length() && line.charAt(i) != '"'; i++) {
                    char c = line.charAt(i);
                    if (c == '\\') {
                        char next = i + 1 < line.length() ? line.charAt(++i) : ' ';
                        if (next != '\\' && next != '"' && next != 'n') {
                            throw new IllegalArgumentException("bad escape in a label value");
                        }
                        value.append(next == 'n' ? '\n' : next);
                    } else {
                        value.append(c);
                    }
                }
                if (i >= line.length()) {
                    throw new IllegalArgumentException("unclosed label value");
                }
                if (labels.put(labelName.group(), value.toString()) != null) {
                    throw new IllegalArgumentException("label " + labelName.group() + " twice");
                }
                at = i + 1;
                if (at < line.length() && line.charAt(at) == ',') {
                    at++;
                } else if (at >= line.length() || line.charAt(at) != '}') {
                    throw new IllegalArgumentException("labels not separated by ','");
                }
            }
            if (at >= line.length()) {
                throw new IllegalArgumentException("unclosed labels");
            }
            at++;
        }
        if (at >= line.length() || line.charAt(at) != ' ') {
            throw new IllegalArgumentException("no value");
        }
        String[] valueAndTime = line.substring(at + 1).trim().split(" ");
        if (valueAndTime.length > 2) {
            throw new IllegalArgumentException("trailing text");
        }
        return new Sample(name.group(), labels, value(valueAndTime[0]));
    }

    private static double value(String text) {
        return switch (text) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> {
                try {
                    yield Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("value '" + text + "' is not a number");
                }
            }
        };
    }

    private static String familyOf(String sample, Map<String, String> types) {
        if (types.containsKey(sample)) {
            return sample;
        }
        for (String suffix : List.of("_bucket", "_sum", "_count", "_total", "_created")) {
            if (sample.endsWith(suffix)) {
                String base = sample.substring(0, sample.length() - suffix.length());
                if (types.containsKey(base)) {
                    return base;
                }
            }
        }
        return null;
    }

    private static List<String> rules(Family f) {
        List<String> problems = new ArrayList<>();
        String name = f.name();
        if (!METRIC_NAME.matcher(name).matches()) {
            problems.add(name + ": invalid metric name");
        }
        if (SCALED_UNIT.matcher(name).find()) {
            problems.add(name + ": a scaled or abbreviated unit in the name (use base units: _seconds, _bytes, ratios)");
        }
        String withoutSuffix = name.replaceAll("_(total|max)$", "");
        if (ABOUT_TIME.matcher(withoutSuffix).find() && !withoutSuffix.contains("_seconds")) {
            problems.add(name + ": a time without its unit (_seconds)");
        }
        switch (f.type()) {
            case "counter" -> {
                if (!name.endsWith("_total")) {
                    problems.add(name + ": a counter's name must end in _total");
                }
                f.samples().stream().filter(s -> !s.name().equals(name) && !s.name().equals(name + "_created"))
                        .forEach(s -> problems.add(name + ": counter sample " + s.name() + " is not " + name));
            }
            case "gauge" -> {
                if (name.endsWith("_total")) {
                    problems.add(name + ": a gauge named like a counter (_total)");
                }
                if (name.endsWith("_count") || name.endsWith("_sum") || name.endsWith("_bucket")) {
                    problems.add(name + ": a gauge named like a histogram's series");
                }
            }
            case "histogram" -> {
                if (!name.endsWith("_seconds") && !name.endsWith("_bytes")) {
                    problems.add(name + ": a histogram without its unit (_seconds or _bytes)");
                }
                boolean inf = false;
                for (Sample s : f.samples()) {
                    if (s.name().equals(name + "_bucket")) {
                        if (s.label("le") == null) {
                            problems.add(name + ": bucket without le");
                        } else if (s.label("le").equals("+Inf")) {
                            inf = true;
                        }
                    } else if (!s.name().equals(name + "_sum") && !s.name().equals(name + "_count")
                            && !s.name().equals(name + "_created")) {
                        problems.add(name + ": histogram sample " + s.name() + " is not _bucket, _sum or _count");
                    }
                }
                if (!f.samples().isEmpty() && !inf) {
                    problems.add(name + ": histogram without an le=\"+Inf\" bucket");
                }
            }
            case "summary" -> {
                if (f.samples().stream().anyMatch(s -> s.labels().containsKey("quantile"))) {
                    problems.add(name + ": client-side quantiles (a summary with quantile); use a histogram with fixed buckets");
                }
            }
            default -> problems.add(name + ": untyped");
        }
        return problems;
    }

    /** What breaks the format or the naming rules; empty when the exposition is clean. */
    public List<String> problems() {
        return List.copyOf(problems);
    }

    /** Families by name. */
    public Map<String, Family> families() {
        return families;
    }

    /** Whether a family of that name is exposed. */
    public boolean has(String family) {
        return families.containsKey(family);
    }

    /** Every sample name exposed (families' series: {@code x_total}, {@code x_bucket}, ...). */
    public Set<String> sampleNames() {
        Set<String> names = new HashSet<>();
        families.values().forEach(f -> f.samples().forEach(s -> names.add(s.name())));
        return names;
    }

    /**
     * The value of the sample {@code name} whose labels include {@code labelPairs} (name, value, ...), or null if none.
     */
    public Double value(String name, String... labelPairs) {
        for (Family f : families.values()) {
            for (Sample s : f.samples()) {
                if (s.name().equals(name) && matches(s, labelPairs)) {
                    return s.value();
                }
            }
        }
        return null;
    }

    private static boolean matches(Sample s, String... labelPairs) {
        for (int i = 0; i + 1 < labelPairs.length; i += 2) {
            if (!labelPairs[i + 1].equals(s.label(labelPairs[i]))) {
                return false;
            }
        }
        return true;
    }
}
