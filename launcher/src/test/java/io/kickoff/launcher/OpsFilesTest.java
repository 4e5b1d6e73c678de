package io.kickoff.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kickoff.gateway.GatewayConfig;
import io.kickoff.lsm.client.AdminClient;
import io.kickoff.lsm.client.NewEventRequest;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.simulator.DeviceFleet;
import io.kickoff.simulator.FleetConfig;
import io.kickoff.testkit.MetricsExposition;
import io.kickoff.testkit.PromTool;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The files in {@code ops/}: the alert rules pass {@code promtool check rules} and their unit tests, the dashboard is
 * a Grafana dashboard on a Prometheus data source variable, and every metric either names is one the services expose:
 * a whole platform (memory mode) is started, devices receive an update, and each service's {@code /metrics} is read.
 */
class OpsFilesTest {
    static final Path OPS = Path.of("..", "ops").toAbsolutePath().normalize();
    static final Path RULES = OPS.resolve("prometheus/kickoff-alerts.yml");
    static final Path RULE_TESTS = OPS.resolve("prometheus/kickoff-alerts.test.yml");
    static final Path DASHBOARD = OPS.resolve("grafana/kickoff-live-event.json");
    // Metric names in PromQL: ours and the binders'.
    static final Pattern METRIC = Pattern.compile("\\b(?:kickoff|jvm|process|netty|cache)_[a-z0-9_]+\\b");
    static final String EVENT = DemoCommand.EVENT_ID;
    static final int DEVICES = 3;

    /**
     * Metrics a platform exposes only with an audience source (Kafka and the audience service), which memory mode has
     * not: LiveStateManagerMetricsTest and AudienceOnKafkaIT show them exposed.
     */
    static final Set<String> NEED_AUDIENCE = Set.of("kickoff_audience_viewers", "kickoff_audience_plays");

    /**
     * Metrics of an audience instance ({@code kickoff audience}), which runs on Kafka and which a platform in memory
     * mode has not: AudienceServiceIT and AudienceCommandIT scrape them from a running instance.
     */
    static final Set<String> AUDIENCE_INSTANCE = Set.of("kickoff_audience_ready");

    static final Set<String> exposed = new HashSet<>();
    static final List<String> problems = new ArrayList<>();
    static int audienceStatus;

    @BeforeAll
    static void scrapeEveryServiceOfARunningPlatform() throws Exception {
        PlatformOptions options = PlatformOptions.inMemoryOnFreePorts(List.of("ops-files-operator-token"),
                "ops-files-device-token-secret-0123456789");
        options.nodeId = "gateway-ops";
        try (Platform platform = Platform.start(options, GatewayConfig.WarmUp.OFF);
             DeviceFleet fleet = DeviceFleet.open(FleetConfig.builder()
                     .gateway(URI.create("ws://127.0.0.1:" + platform.gateway().port() + "/v1/connect"))
                     .devices(DEVICES)
                     .deviceIds(i -> "ops-device-" + i)
                     .tokens(i -> platform.tokens().issue("ops-device-" + i, "us-en-adult", Duration.ofHours(1)))
                     .bundleApi(URI.create("http://127.0.0.1:" + platform.prefetch().port()))
                     .build())) {
            fleet.connectAll().get(30, TimeUnit.SECONDS);
            AdminClient admin = new AdminClient(URI.create("http://127.0.0.1:" + platform.lsm().adminPort()), options.operatorToken());
            admin.createEvent(NewEventRequest.of(EVENT, "UFC 309", Instant.now().plus(Duration.ofHours(2)))
                    .withSegments(List.of("us-en-adult")));
            admin.transition(EVENT, Stage.PREFETCH);
            // Memory mode has no audience source: the endpoint says so rather than showing an audience of 0.
            try {
                admin.audience(EVENT);
                throw new AssertionError("memory mode answered an audience");
            } catch (io.kickoff.lsm.client.AdminProblemException e) {
                audienceStatus = e.status();
            }
            // Every device acked seq 1: the delivery series exist, with an ack latency.
            fleet.whenReached(EVENT, 1, DEVICES).get(30, TimeUnit.SECONDS);

            for (int port : new int[]{platform.gateway().port(), platform.lsm().adminPort(), platform.prefetch().port()}) {
                String text = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                MetricsExposition metrics = MetricsExposition.parse(text);
                problems.addAll(metrics.problems());
                exposed.addAll(metrics.sampleNames());
            }
        }
    }

    @Test
    void everyServiceOfARunningPlatformPassesTheExpositionRules() {
        assertThat(problems).isEmpty();
        assertThat(exposed).contains("kickoff_gateway_delivery_acked_total", "kickoff_gateway_delivery_ack_latency_seconds_bucket",
                "kickoff_lsm_leader", "kickoff_prefetch_http_hits_total");
    }

    @Test
    void theAlertRulesPassPromtoolAndTheirUnitTestsShowEachAlertFiringWhenItShouldAndOnlyThen() throws Exception {
        Optional<PromTool> promtool = PromTool.find();
        if (promtool.isEmpty()) {
            return; // PromTool.find said why, visibly
        }
        PromTool.Result check = promtool.get().checkRules(RULES);
        assertThat(check.ok()).as(check.output()).isTrue();
        assertThat(check.output()).contains("SUCCESS: 7 rules found");
        PromTool.Result test = promtool.get().testRules(RULE_TESTS);
        assertThat(test.ok()).as(test.output()).isTrue();
        // Every alert of the rules has a test that fires it.
        String tests = Files.readString(RULE_TESTS);
        for (String alert : alertNames()) {
            assertThat(tests).as(alert).contains("alertname: " + alert);
        }
    }

    @Test
    void everyMetricTheRulesUseIsOneTheServicesExpose() throws Exception {
        Set<String> used = metricNames(Files.readString(RULES));
        assertThat(used).isNotEmpty().contains("kickoff_audience_ready", "kickoff_gateway_viewing_dropped_total");
        Set<String> known = new HashSet<>(exposed);
        known.addAll(AUDIENCE_INSTANCE);
        assertThat(used).allSatisfy(name -> assertThat(known).as("exposed metrics").contains(name));
    }

    @Test
    void theDashboardTakesItsDataSourceFromAVariableAndEveryMetricItUsesIsOneTheServicesExpose() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertThat(dashboard.path("uid").asText()).isEqualTo("kickoff-live-event");
        JsonNode datasource = null;
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("type").asText().equals("datasource")) {
                datasource = variable;
            }
        }
        assertThat(datasource).isNotNull();
        assertThat(datasource.path("query").asText()).isEqualTo("prometheus");
        String variable = "${" + datasource.path("name").asText() + "}";

        Set<String> used = new TreeSet<>();
        List<String> titles = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            titles.add(panel.path("title").asText());
            assertThat(panel.path("datasource").path("uid").asText()).as(panel.path("title").asText()).isEqualTo(variable);
            assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
            for (JsonNode target : panel.path("targets")) {
                used.addAll(metricNames(target.path("expr").asText()));
            }
        }
        for (JsonNode v : dashboard.path("templating").path("list")) {
            used.addAll(metricNames(v.path("definition").asText()));
        }
        assertThat(titles).contains("Connected devices per node", "Broadcast fan-out time (all nodes)",
                "Delivery % per update (acked / targeted, all nodes)", "Ack latency p99 per update", "Acks and redeliveries",
                "Outbox depth", "Outbox oldest age", "Leader", "Bundle hits, misses, not modified, shed",
                "Admission refusals and server closes");
        assertThat(used).contains("kickoff_audience_viewers");
        used.removeAll(NEED_AUDIENCE);
        assertThat(used).allSatisfy(name -> assertThat(exposed).as("exposed metrics").contains(name));
        assertThat(exposed).doesNotContainAnyElementsOf(NEED_AUDIENCE);
        assertThat(audienceStatus).isEqualTo(503);
    }

    @Test
    void theLicenseFileTheOpenApiDocumentAndThePomAllSayApache2() throws Exception {
        Path root = OPS.getParent();
        String license = Files.readString(root.resolve("LICENSE"));
        assertThat(license).contains("Apache License", "Version 2.0, January 2004", "END OF TERMS AND CONDITIONS");
        // info.license of the OpenAPI document (two-space indentation under info:).
        assertThat(Files.readString(root.resolve("docs/admin-api.yaml")))
                .containsPattern("(?m)^  license:\\n    name: Apache-2.0\\n    identifier: Apache-2.0$");
        assertThat(Files.readString(root.resolve("pom.xml"))).contains("<licenses>", "<name>Apache-2.0</name>");
    }

    static Set<String> metricNames(String promql) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(promql);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }

    static List<String> alertNames() throws Exception {
        List<String> names = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^\\s*- alert: (\\S+)").matcher(Files.readString(RULES));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }
}
