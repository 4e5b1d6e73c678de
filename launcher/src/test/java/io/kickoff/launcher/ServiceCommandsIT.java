package io.kickoff.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kickoff.lsm.client.AdminClient;
import io.kickoff.lsm.client.AdminProblemException;
import io.kickoff.lsm.client.NewEventRequest;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.testkit.TestKafka;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The single-service commands as a multi-process run would use them, here on threads of one JVM
 * sharing a real Kafka: {@code lsm}, two {@code gateway}s and a {@code simulate} spread over both,
 * driven through the admin API, then stopped as a signal would.
 */
class ServiceCommandsIT {
    static final String SECRET = "service-commands-it-secret-0123456789";
    static final String ADMIN = "service-commands-operator";
    static final Duration WAIT = Duration.ofSeconds(90);

    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    @TempDir
    Path dir;

    @Test
    void lsmGatewaysAndSimulatedDevicesWorkAsSeparateServices() throws Exception {
        String bootstrap = kafka.bootstrapServers();
        CliRun lsm = CliRun.start("lsm", "--kafka", bootstrap, "--port", "0", "--admin-token", ADMIN);
        CliRun gw1 = CliRun.start("gateway", "--kafka", bootstrap, "--port", "0", "--node-id", "gw-a",
                "--token-secret", SECRET, "--drain-window", "PT1S");
        CliRun gw2 = CliRun.start("gateway", "--kafka", bootstrap, "--port", "0", "--node-id", "gw-b",
                "--token-secret", SECRET, "--drain-window", "PT1S", "--max-connections", "1000", "--io-threads", "1");
        int adminPort = Integer.parseInt(lsm.awaitFound("admin API +http://127\\.0\\.0\\.1:(\\d+)/v1/events", WAIT));
        String port1 = gw1.awaitFound("device socket ws://127\\.0\\.0\\.1:(\\d+)/v1/connect", WAIT);
        String port2 = gw2.awaitFound("device socket ws://127\\.0\\.0\\.1:(\\d+)/v1/connect", WAIT);

        Path report = dir.resolve("clients.json");
        CliRun devices = CliRun.start("simulate", "--gateway", "ws://127.0.0.1:" + port1,
                "--gateway", "ws://127.0.0.1:" + port2, "--devices", "40", "--token-secret", SECRET,
                "--id-prefix", "it-", "--watch", "it-final", "--watch-seq", "1,2", "--report-json", report.toString());
        await().atMost(WAIT).until(() -> Files.exists(report)
                && !new ObjectMapper().readTree(report.toFile()).get("phase").asText().equals("connecting"));

        AdminClient admin = new AdminClient(URI.create("http://127.0.0.1:" + adminPort), ADMIN);
        assertThat(admin.createEvent(NewEventRequest.of("it-final", "Final", Instant.parse("2099-01-01T00:00:00Z")))
                .status()).isEqualTo(201);
        assertThat(admin.transition("it-final", Stage.PRE_SHOW).status()).isEqualTo(200);
        assertThat(admin.transition("it-final", Stage.LIVE).status()).isEqualTo(200);
        // On Kafka the audience is on (no audience service runs here: nobody is watching yet).
        assertThat(admin.audience("it-final").asOf()).isEmpty();

        assertThat(devices.exit().get(WAIT.toSeconds(), TimeUnit.SECONDS)).as(devices.toString()).isZero();
        JsonNode figures = new ObjectMapper().readTree(report.toFile());
        assertThat(figures.get("broadcasts")).hasSize(2)
                .allSatisfy(b -> assertThat(b.get("reached").asInt()).isEqualTo(40));
        assertThat(figures.get("broadcasts").get(1).get("stage").asText()).isEqualTo("LIVE");

        for (CliRun service : new CliRun[] {gw1, gw2, lsm}) {
            String name = service == lsm ? "lsm" : "gateway";
            if (service == lsm) {
                LsmCommand command = service.command(name);
                command.stop.request();
            } else {
                GatewayCommand command = service.command(name);
                command.stop.request();
            }
            assertThat(service.exit().get(WAIT.toSeconds(), TimeUnit.SECONDS)).as(service.toString()).isZero();
        }
    }

    @Test
    void lsmWithNoAudienceAnswersTheAudienceEndpoint503AudienceUnavailable() throws Exception {
        CliRun lsm = CliRun.start("lsm", "--kafka", kafka.bootstrapServers(), "--port", "0", "--admin-token", ADMIN,
                "--no-audience", "--relay-group", "no-audience-outbox");
        int adminPort = Integer.parseInt(lsm.awaitFound("admin API +http://127\\.0\\.0\\.1:(\\d+)/v1/events", WAIT));
        AdminClient admin = new AdminClient(URI.create("http://127.0.0.1:" + adminPort), ADMIN);
        admin.createEvent(NewEventRequest.of("it-no-audience", "Final", Instant.parse("2099-01-01T00:00:00Z")));

        assertThatThrownBy(() -> admin.audience("it-no-audience")).isInstanceOfSatisfying(AdminProblemException.class, e -> {
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.type()).isEqualTo("audience-unavailable");
        });

        LsmCommand command = lsm.command("lsm");
        command.stop.request();
        assertThat(lsm.exit().get(WAIT.toSeconds(), TimeUnit.SECONDS)).as(lsm.toString()).isZero();
    }
}
