package io.kickoff.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.kickoff.lsm.client.AdminClient;
import io.kickoff.lsm.client.NewEventRequest;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.testkit.MetricsExposition;
import io.kickoff.testkit.PromTool;
import io.kickoff.testkit.TestKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert rules of {@code ops/prometheus/kickoff-alerts.yml} fire on what a real Live State Manager exposes when
 * the bus cannot deliver. An LSM and a gateway run on a real Kafka; the broker stops, a producer moves an event on,
 * and both nodes' {@code /metrics} are scraped every {@value #SCRAPE_SECONDS} s, as Prometheus would. The scraped
 * samples become the input series of a generated {@code promtool test rules} file, which expects
 * {@code KickoffBusCannotDeliver} and {@code KickoffOutboxAgeHigh} to fire at the last scrape and the former not to
 * fire yet half a minute into the outage. Where {@code promtool} is absent that part is skipped, saying so; the
 * outage still has to show in the metrics, and they recover when the broker returns.
 */
class BusOutageAlertsIT {
    static final int SCRAPE_SECONDS = 5;
    static final String ADMIN = "bus-outage-operator";
    static final String BUS = "kickoff_lsm_bus_reachable";
    static final String AGE = "kickoff_lsm_outbox_oldest_age_seconds";
    static final String GATEWAY_BUS = "kickoff_gateway_bus_available";
    static final Duration WAIT = Duration.ofSeconds(90);

    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    @TempDir
    Path dir;

    /** One scrape of one series; {@code value} null when the scrape failed (a gap in the series). */
    record Series(String name, Map<String, String> labels) {
        String selector() {
            return name + labels.entrySet().stream().map(e -> e.getKey() + "=\"" + e.getValue() + "\"")
                    .collect(Collectors.joining(",", "{", "}"));
        }
    }

    /** Every series scraped, each with one value per scrape (null: not scraped that time). */
    final Map<Series, List<Double>> scraped = new LinkedHashMap<>();
    final List<Instant> scrapes = new CopyOnWriteArrayList<>();
    final HttpClient http = HttpClient.newHttpClient();

    synchronized void scrape(Map<String, Integer> ports) {
        int index = scrapes.size();
        for (Map.Entry<String, Integer> target : ports.entrySet()) {
            String job = target.getKey();
            String instance = "127.0.0.1:" + target.getValue();
            MetricsExposition metrics;
            try {
                metrics = MetricsExposition.parse(http.send(HttpRequest.newBuilder(URI.create("http://" + instance + "/metrics"))
                        .timeout(Duration.ofSeconds(4)).build(), HttpResponse.BodyHandlers.ofString()).body());
            } catch (Exception e) {
                continue; // a failed scrape leaves a gap, as in Prometheus
            }
            for (String name : List.of(BUS, AGE, GATEWAY_BUS)) {
                MetricsExposition.Family family = metrics.families().get(name);
                if (family == null) {
                    continue;
                }
                for (MetricsExposition.Sample sample : family.samples()) {
                    Map<String, String> labels = new LinkedHashMap<>();
                    labels.put("job", job);
                    labels.put("instance", instance);
                    labels.putAll(sample.labels());
                    List<Double> values = scraped.computeIfAbsent(new Series(sample.name(), labels), s -> new ArrayList<>());
                    while (values.size() < index) {
                        values.add(null);
                    }
                    values.add(sample.value());
                }
            }
        }
        scrapes.add(Instant.now());
    }

    synchronized List<Double> values(String name) {
        return scraped.entrySet().stream().filter(e -> e.getKey().name().equals(name)).findFirst()
                .map(e -> java.util.Collections.unmodifiableList(new ArrayList<>(e.getValue()))).orElse(List.of());
    }

    synchronized Series series(String name) {
        return scraped.keySet().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    /** The value of the last scrape, null if it failed. */
    static Double last(List<Double> values) {
        return values.isEmpty() ? null : values.get(values.size() - 1);
    }

    /** Scrapes, counted from the end, for which {@code holds} was true of the series' value without a break. */
    static int trailing(List<Double> values, java.util.function.DoublePredicate holds) {
        int n = 0;
        for (int i = values.size() - 1; i >= 0 && values.get(i) != null && holds.test(values.get(i)); i--) {
            n++;
        }
        return n;
    }

    @Test
    void theBusAndOutboxAlertsFireOnTheMetricsOfARealOutage() throws Exception {
        String bootstrap = kafka.bootstrapServers();
        CliRun lsm = CliRun.start("lsm", "--kafka", bootstrap, "--port", "0", "--admin-token", ADMIN,
                "--store-timeout", "1s", "--node-id", "lsm-outage");
        CliRun gateway = CliRun.start("gateway", "--kafka", bootstrap, "--port", "0", "--node-id", "gw-outage",
                "--drain-window", "1s", "--warm-up-devices", "0");
        int adminPort = Integer.parseInt(lsm.awaitFound("admin API +http://127\\.0\\.0\\.1:(\\d+)/v1/events", WAIT));
        int gatewayPort = Integer.parseInt(gateway.awaitFound("device socket ws://127\\.0\\.0\\.1:(\\d+)/v1/connect", WAIT));
        AdminClient admin = new AdminClient(URI.create("http://127.0.0.1:" + adminPort), ADMIN);
        assertThat(admin.createEvent(NewEventRequest.of("outage-final", "Final", Instant.parse("2099-01-01T00:00:00Z")))
                .status()).isEqualTo(201);

        Map<String, Integer> targets = new LinkedHashMap<>();
        targets.put("kickoff-lsm", adminPort);
        targets.put("kickoff-gateway", gatewayPort);
        ScheduledExecutorService scraper = Executors.newSingleThreadScheduledExecutor();
        int outageFrom;
        try {
            scraper.scheduleAtFixedRate(() -> scrape(targets), 0, SCRAPE_SECONDS, TimeUnit.SECONDS);
            // Two scrapes of a healthy bus first.
            await().atMost(WAIT).until(() -> values(BUS).size() >= 2 && values(BUS).stream().allMatch(v -> v != null && v == 1));

            kafka.stop();
            assertThat(admin.transition("outage-final", Stage.PRE_SHOW).status()).isEqualTo(200);
            // Long enough for both rules' "for": the bus unreachable a minute and more, the outbox older than 30 s
            // for more than 30 s, counted in scrapes as Prometheus counts them.
            await().atMost(Duration.ofMinutes(3)).until(() ->
                    trailing(values(BUS), v -> v == 0) * SCRAPE_SECONDS >= 70
                            && trailing(values(AGE), v -> v > 30) * SCRAPE_SECONDS >= 40);
        } finally {
            scraper.shutdownNow();
            scraper.awaitTermination(10, TimeUnit.SECONDS);
        }
        List<Double> bus = values(BUS);
        outageFrom = bus.indexOf(0.0);
        assertThat(last(values(AGE))).as("outbox age at the last scrape").isGreaterThan(60);
        assertThat(values(GATEWAY_BUS)).as("the gateway saw the bus go too").contains(0.0);

        try {
            Optional<PromTool> promtool = PromTool.find();
            if (promtool.isPresent()) {
                Path tests = writeRuleTests(outageFrom);
                // Kept for a look after the run: the series of a real outage, and what the rules said of them.
                Files.copy(tests, Path.of("target", "bus-outage.test.yml"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                PromTool.Result result = promtool.get().testRules(tests);
                assertThat(result.ok()).as(result.output() + "\n" + Files.readString(tests)).isTrue();
            }
            // The metrics recover with the broker, and the outbox drains.
            kafka.start();
            await().atMost(WAIT).until(() -> {
                scrape(targets);
                return Double.valueOf(1).equals(last(values(BUS))) && Double.valueOf(0).equals(last(values(AGE)));
            });
            Assumptions.assumeTrue(promtool.isPresent(), "promtool is not on the PATH: the alert rules were not "
                    + "evaluated on the scraped series (install Debian's prometheus package, as .ci/run does)");
        } finally {
            if (!kafka.isRunning()) {
                kafka.start();
            }
            ((LsmCommand) lsm.command("lsm")).stop.request();
            ((GatewayCommand) gateway.command("gateway")).stop.request();
            assertThat(lsm.exit().get(WAIT.toSeconds(), TimeUnit.SECONDS)).as(lsm.toString()).isZero();
            assertThat(gateway.exit().get(WAIT.toSeconds(), TimeUnit.SECONDS)).as(gateway.toString()).isZero();
        }
    }

    /**
     * A {@code promtool test rules} file over the real rules: the scraped samples as series, one per scrape interval,
     * and what the rules must say half a minute into the outage (pending, not firing) and at the last scrape (both
     * alerts firing, with the annotations the rules' templates give for these labels and values).
     */
    Path writeRuleTests(int outageFrom) throws Exception {
        Path rules = OpsFilesTest.RULES;
        JsonNode ruleFile = new ObjectMapper(new YAMLFactory()).readTree(rules.toFile());
        Map<String, JsonNode> alerts = new LinkedHashMap<>();
        ruleFile.get("groups").forEach(g -> g.get("rules").forEach(r -> alerts.put(r.path("alert").asText(), r)));

        Series bus = series(BUS);
        List<Double> ages = values(AGE);
        int last = values(BUS).size() - 1;
        double lastAge = last(ages);
        StringBuilder yaml = new StringBuilder();
        yaml.append("# Generated by BusOutageAlertsIT from the scrapes of a real outage.\n")
                .append("rule_files:\n  - ").append(rules).append("\n")
                .append("evaluation_interval: ").append(SCRAPE_SECONDS).append("s\n")
                .append("tests:\n  - interval: ").append(SCRAPE_SECONDS).append("s\n    input_series:\n");
        synchronized (this) {
            scraped.forEach((series, values) -> yaml.append("      - series: '").append(series.selector()).append("'\n")
                    .append("        values: '").append(values.stream().map(v -> v == null ? "_" : number(v))
                            .collect(Collectors.joining(" "))).append("'\n"));
        }
        yaml.append("    alert_rule_test:\n");
        int halfMinuteIn = outageFrom + 30 / SCRAPE_SECONDS;
        yaml.append("      - eval_time: ").append(halfMinuteIn * SCRAPE_SECONDS).append("s\n")
                .append("        alertname: KickoffBusCannotDeliver\n        exp_alerts: []\n");

        Map<String, String> busLabels = new LinkedHashMap<>(bus.labels());
        busLabels.put("severity", alerts.get("KickoffBusCannotDeliver").get("labels").get("severity").asText());
        yaml.append("      - eval_time: ").append(last * SCRAPE_SECONDS).append("s\n")
                .append("        alertname: KickoffBusCannotDeliver\n        exp_alerts:\n");
        expectAlert(yaml, busLabels, alerts.get("KickoffBusCannotDeliver"), bus.labels(), lastAge);

        Map<String, String> ageLabels = new LinkedHashMap<>();
        ageLabels.put("job", "kickoff-lsm");
        ageLabels.put("severity", alerts.get("KickoffOutboxAgeHigh").get("labels").get("severity").asText());
        yaml.append("      - eval_time: ").append(last * SCRAPE_SECONDS).append("s\n")
                .append("        alertname: KickoffOutboxAgeHigh\n        exp_alerts:\n");
        expectAlert(yaml, ageLabels, alerts.get("KickoffOutboxAgeHigh"), ageLabels, lastAge);
        return Files.writeString(dir.resolve("bus-outage.test.yml"), yaml.toString());
    }

    private static void expectAlert(StringBuilder yaml, Map<String, String> labels, JsonNode rule,
                                    Map<String, String> templateLabels, double value) {
        yaml.append("          - exp_labels:\n");
        labels.forEach((k, v) -> yaml.append("              ").append(k).append(": \"").append(v).append("\"\n"));
        yaml.append("            exp_annotations:\n");
        rule.get("annotations").fields().forEachRemaining(a -> yaml.append("              ").append(a.getKey())
                .append(": \"").append(expand(a.getValue().asText(), templateLabels, value).replace("\"", "\\\""))
                .append("\"\n"));
    }

    /** The few template forms the two rules use: {@code $labels.X}, {@code $value | humanizeDuration}. */
    static String expand(String template, Map<String, String> labels, double value) {
        String text = template;
        for (Map.Entry<String, String> label : labels.entrySet()) {
            text = text.replace("{{ $labels." + label.getKey() + " }}", label.getValue());
        }
        text = text.replace("{{ $value | humanizeDuration }}", humanizeDuration(value));
        assertThat(text).as("a template form this test does not expand").doesNotContain("{{");
        return text;
    }

    /** Prometheus's humanizeDuration, for values of a minute or more: "1m 7s". */
    static String humanizeDuration(double seconds) {
        assertThat(seconds).isGreaterThanOrEqualTo(60);
        long s = (long) seconds;
        long minutes = s / 60 % 60;
        long hours = s / 3600;
        return hours > 0 ? "%dh %dm %ds".formatted(hours, minutes, s % 60) : "%dm %ds".formatted(minutes, s % 60);
    }

    private static String number(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
