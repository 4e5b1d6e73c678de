package io.kickoff.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kickoff.http.TlsTrust;
import io.kickoff.lsm.client.AdminClient;
import io.kickoff.lsm.client.NewEventRequest;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.testkit.TestCertificates;
import io.kickoff.testkit.TestKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lsm}, {@code gateway} and {@code prefetch} with {@code --tls-cert}/{@code --tls-key} on a real Kafka, and
 * {@code simulate} on {@code wss://} with {@code --tls-trust}: the printed addresses are {@code https://} and
 * {@code wss://}, and an update set through the admin API over https reaches every device.
 */
class TlsCommandsIT {
    static final String SECRET = "tls-commands-it-secret-0123456789abcd";
    static final String ADMIN = "tls-commands-operator";
    static final Duration WAIT = Duration.ofSeconds(90);

    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    @TempDir
    Path dir;

    @Test
    void servicesOnTlsServeDevicesOnWssAndProducersOnHttps() throws Exception {
        TestCertificates authority = TestCertificates.authority("kickoff test CA");
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        authority.issue(1).writeTo(cert, key);
        Path trust = authority.writeTrust(dir.resolve("ca.pem"));
        Path catalog = Files.createDirectory(dir.resolve("catalog"));
        String bootstrap = kafka.bootstrapServers();
        String[] tls = {"--tls-cert", cert.toString(), "--tls-key", key.toString()};

        CliRun lsm = CliRun.start(concat(new String[] {"lsm", "--kafka", bootstrap, "--port", "0", "--admin-token", ADMIN}, tls));
        CliRun gateway = CliRun.start(concat(new String[] {"gateway", "--kafka", bootstrap, "--port", "0", "--node-id", "gw-tls",
                "--token-secret", SECRET, "--drain-window", "1s", "--warm-up-devices", "0"}, tls));
        CliRun prefetch = CliRun.start(concat(new String[] {"prefetch", "--kafka", bootstrap, "--port", "0",
                "--catalog-dir", catalog.toString(), "--token-secret", SECRET}, tls));
        int adminPort = Integer.parseInt(lsm.awaitFound("admin API +https://127\\.0\\.0\\.1:(\\d+)/v1/events", WAIT));
        String gatewayPort = gateway.awaitFound("device socket wss://127\\.0\\.0\\.1:(\\d+)/v1/connect", WAIT);
        assertThat(gateway.out()).contains("health        https://127.0.0.1:" + gatewayPort + "/healthz");
        String bundlePort = prefetch.awaitFound("bundle API +https://127\\.0\\.0\\.1:(\\d+)/v1/bundles", WAIT);

        HttpClient https = HttpClient.newBuilder().sslContext(TlsTrust.sslContext(trust)).build();
        for (String port : new String[] {gatewayPort, bundlePort}) {
            HttpResponse<String> health = https.send(HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + port + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).as(port).isEqualTo(200);
        }

        Path report = dir.resolve("clients.json");
        CliRun devices = CliRun.start("simulate", "--gateway", "wss://127.0.0.1:" + gatewayPort, "--tls-trust", trust.toString(),
                "--bundle-api", "https://127.0.0.1:" + bundlePort, "--devices", "5", "--token-secret", SECRET,
                "--id-prefix", "tls-", "--watch", "it-tls", "--watch-seq", "1", "--report-json", report.toString());
        await().atMost(WAIT).until(() -> Files.exists(report)
                && !new ObjectMapper().readTree(report.toFile()).get("phase").asText().equals("connecting"));

        AdminClient admin = new AdminClient(URI.create("https://127.0.0.1:" + adminPort), ADMIN, TlsTrust.sslContext(trust));
        assertThat(admin.createEvent(NewEventRequest.of("it-tls", "Over TLS", Instant.parse("2099-01-01T00:00:00Z")))
                .status()).isEqualTo(201);
        assertThat(admin.transition("it-tls", Stage.PRE_SHOW).status()).isEqualTo(200);

        assertThat(devices.exit().get(WAIT.toSeconds(), TimeUnit.SECONDS)).as(devices.toString()).isZero();
        JsonNode figures = new ObjectMapper().readTree(report.toFile());
        assertThat(figures.get("broadcasts")).singleElement().satisfies(b -> assertThat(b.get("reached").asInt()).isEqualTo(5));

        LsmCommand lsmCommand = lsm.command("lsm");
        lsmCommand.stop.request();
        GatewayCommand gatewayCommand = gateway.command("gateway");
        gatewayCommand.stop.request();
        PrefetchCommand prefetchCommand = prefetch.command("prefetch");
        prefetchCommand.stop.request();
        for (CliRun service : new CliRun[] {lsm, gateway, prefetch}) {
            assertThat(service.exit().get(WAIT.toSeconds(), TimeUnit.SECONDS)).as(service.toString()).isZero();
        }
    }

    @Test
    void serveSpeaksTlsOnAllThreeListeners() throws Exception {
        TestCertificates authority = TestCertificates.authority("kickoff test CA");
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        authority.issue(1).writeTo(cert, key);
        CliRun serve = CliRun.start("serve", "--gateway-port", "0", "--admin-port", "0", "--bundle-port", "0",
                "--tls-cert", cert.toString(), "--tls-key", key.toString());
        int adminPort = Integer.parseInt(serve.awaitFound("admin API +https://127\\.0\\.0\\.1:(\\d+)/v1/events", WAIT));
        String gatewayPort = serve.awaitFound("device socket wss://127\\.0\\.0\\.1:(\\d+)/v1/connect", WAIT);
        String bundlePort = serve.awaitFound("bundle API +https://127\\.0\\.0\\.1:(\\d+)/v1/bundles", WAIT);
        assertThat(serve.out()).contains("gateway health https://127.0.0.1:" + gatewayPort + "/healthz");
        for (String port : new String[] {String.valueOf(adminPort), gatewayPort, bundlePort}) {
            try (javax.net.ssl.SSLSocket socket = authority.connect(Integer.parseInt(port))) {
                assertThat(TestCertificates.servedSerial(socket)).as(port).isEqualTo(1);
            }
        }
        ServeCommand command = serve.command("serve");
        command.stop.request();
        assertThat(serve.exit().get(WAIT.toSeconds(), TimeUnit.SECONDS)).as(serve.toString()).isZero();
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = new String[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
