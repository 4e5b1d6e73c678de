package io.kickoff.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kickoff.gateway.Gateway;
import io.kickoff.gateway.testing.TestGateways;
import io.kickoff.protocol.token.DeviceTokens;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.simulator.LatencyHistogram;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code kickoff simulate} against a real gateway in this JVM, on the in-process bus. */
class SimulateCommandTest {
    static final String SECRET = "simulate-command-test-secret-0123456789";
    static final Duration WAIT = Duration.ofSeconds(60);
    static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final TestGateways gateways = TestGateways.inProcess(DeviceTokens.withSecret(SECRET));
    Gateway gateway;

    @TempDir
    Path dir;

    @BeforeEach
    void startGateway() throws Exception {
        gateway = gateways.startReady("gw-simulate", b -> b.ackTimeout(Duration.ofMillis(200)));
    }

    String uri() {
        return "ws://127.0.0.1:" + gateway.port();
    }

    void publish(String event, Stage stage, long seq) throws Exception {
        TestGateways.publish(gateways.bus("test"), TestGateways.update(event, stage, seq));
    }

    JsonNode json(Path file) throws Exception {
        return JSON.readTree(file.toFile());
    }

    double acks() {
        return gateway.metrics().count("kickoff_gateway_acks");
    }

    @Test
    void watchReportsEveryDeviceReachingEachSeq() throws Exception {
        Path report = dir.resolve("report.json");
        CliRun run = CliRun.start("simulate", "--gateway", uri(), "--devices", "20", "--token-secret", SECRET,
                "--id-prefix", "t-", "--watch", "final", "--watch-seq", "1,2", "--report-json", report.toString(),
                "--report-latencies");
        await().atMost(WAIT).until(() -> gateway.connectedDevices() == 20);
        publish("final", Stage.PRE_SHOW, 1);
        publish("final", Stage.LIVE, 2);

        assertThat(run.exit().get(WAIT.toSeconds(), TimeUnit.SECONDS)).as(run.toString()).isZero();
        assertThat(run.out()).contains("connected 20/20 devices",
                "final seq 1: 20/20 devices connected, 20 applied, 20 at seq 1 or later",
                "final seq 2: 20/20 devices connected, 20 applied", "100% in");

        JsonNode figures = json(report);
        assertThat(figures.get("phase").asText()).isEqualTo("done");
        assertThat(figures.get("ok").asBoolean()).isTrue();
        assertThat(figures.get("id_prefix").asText()).isEqualTo("t-");
        assertThat(figures.get("devices").asInt()).isEqualTo(20);
        assertThat(figures.get("welcomed").asInt()).isEqualTo(20);
        assertThat(figures.get("connect_ms").isNumber()).isTrue();
        assertThat(figures.get("acks").asBoolean()).isTrue();
        JsonNode broadcasts = figures.get("broadcasts");
        assertThat(broadcasts).hasSize(2);
        for (int i = 0; i < 2; i++) {
            JsonNode b = broadcasts.get(i);
            assertThat(b.get("event").asText()).isEqualTo("final");
            assertThat(b.get("seq").asLong()).isEqualTo(i + 1);
            assertThat(b.get("stage").asText()).isEqualTo(i == 0 ? "PRE_SHOW" : "LIVE");
            assertThat(b.get("reached").asInt()).isEqualTo(20);
            assertThat(b.get("applied").asInt()).isEqualTo(20);
            assertThat(b.get("issued_at_us").isIntegralNumber()).isTrue();
            assertThat(b.get("p50_ms").asDouble()).isLessThanOrEqualTo(b.get("p99_ms").asDouble());
            assertThat(b.get("p99_ms").asDouble()).isLessThanOrEqualTo(b.get("max_ms").asDouble());
            assertThat(b.get("time_to_100_ms").asDouble()).isEqualTo(b.get("max_ms").asDouble());
            assertThat(b.get("latencies_us")).hasSize(20);
            // The histogram merge-reports reads holds the same latencies.
            LatencyHistogram histogram = LatencyHistogram.decode(b.get("latency_histogram").asText(),
                    b.get("latency_max_us").asLong());
            assertThat(histogram.count()).isEqualTo(20).isEqualTo(b.get("latency_count").asLong());
            assertThat(histogram.maxMillis().getAsDouble()).isEqualTo(b.get("max_ms").asDouble());
        }
        KickoffCliTest.Run merged = KickoffCliTest.run("merge-reports", report.toString());
        assertThat(merged.exitCode()).as(merged.err()).isZero();
        JsonNode all = JSON.readTree(merged.out());
        assertThat(all.at("/broadcasts/1/reached").asInt()).isEqualTo(20);
        assertThat(all.at("/broadcasts/1/p99_ms").asDouble()).isEqualTo(broadcasts.get(1).get("p99_ms").asDouble());
        assertThat(all.at("/broadcasts/1/time_to_100_ms").asDouble())
                .isEqualTo(broadcasts.get(1).get("time_to_100_ms").asDouble());
        // The run closed its devices: what they sent before is all counted now.
        await().atMost(WAIT).until(() -> gateway.connectedDevices() == 0);
        assertThat(acks()).isGreaterThanOrEqualTo(40);
    }

    @Test
    void workersSplitTheDevicesAndTheirReportsAreMergedIntoOne() throws Exception {
        Path report = dir.resolve("workers.json");
        CliRun run = CliRun.start("simulate", "--gateway", uri(), "--devices", "6", "--workers", "2", "--worker-heap",
                "256MiB", "--token-secret", SECRET, "--id-prefix", "wk-", "--watch", "herd", "--expect", "herd:LIVE",
                "--report-json", report.toString());
        await().atMost(WAIT).until(() -> gateway.connectedDevices() == 6);
        publish("herd", Stage.LIVE, 1);

        assertThat(run.exit().get(WAIT.toSeconds(), TimeUnit.SECONDS)).as(run.toString()).isZero();
        assertThat(run.out()).contains("in 2 worker processes", "welcomed", "(2/2 workers reporting)",
                "all workers, seq 1: 6/6 devices reached", "KiB heap and");
        JsonNode merged = json(report);
        assertThat(merged.get("workers").asInt()).isEqualTo(2);
        assertThat(merged.get("welcomed").asInt()).isEqualTo(6);
        assertThat(merged.at("/broadcasts/0/reached").asInt()).isEqualTo(6);
        assertThat(merged.at("/broadcasts/0/time_to_100_ms").isNumber()).isTrue();
        assertThat(merged.get("heap_used_bytes").asLong()).isPositive();
    }

    @Test
    void expectFailsWhenDevicesDoNotConvergeWithinTheTimeout() throws Exception {
        CliRun run = CliRun.start("simulate", "--gateway", uri(), "--devices", "3", "--token-secret", SECRET,
                "--expect", "final:ENDED", "--timeout", "2s");
        await().atMost(WAIT).until(() -> gateway.connectedDevices() == 3);
        publish("final", Stage.LIVE, 1);

        assertThat(run.exit().get(WAIT.toSeconds(), TimeUnit.SECONDS)).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).contains("kickoff: 3 of 3 devices do not show final ENDED after 2s");
    }

    @Test
    void expectFailsWhenADeviceThatWithholdsHelloIsLeftBehind() throws Exception {
        CliRun run = CliRun.start("simulate", "--gateway", uri(), "--devices", "3", "--token-secret", SECRET,
                "--misbehave", "silent=0.34", "--expect", "final:LIVE", "--timeout", "3s");
        await().atMost(WAIT).until(() -> gateway.connectedDevices() == 2);
        publish("final", Stage.LIVE, 1);

        assertThat(run.exit().get(WAIT.toSeconds(), TimeUnit.SECONDS)).as(run.toString()).isEqualTo(1);
        assertThat(run.out()).contains("expecting final LIVE: 2/3 devices");
        assertThat(run.err()).contains("kickoff: 1 of 3 devices do not show final LIVE after 3s");
    }

    @Test
    void expectSucceedsOnceEveryDeviceShowsTheStage() throws Exception {
        CliRun run = CliRun.start("simulate", "--gateway", uri(), "--devices", "3", "--token-secret", SECRET,
                "--expect", "final:LIVE", "--timeout", "1m");
        await().atMost(WAIT).until(() -> gateway.connectedDevices() == 3);
        publish("final", Stage.LIVE, 1);

        assertThat(run.exit().get(WAIT.toSeconds(), TimeUnit.SECONDS)).as(run.toString()).isZero();
        assertThat(run.out()).contains("expected final LIVE: all 3 devices show it");
        KickoffCliTest.Run bad = KickoffCliTest.run("simulate", "--gateway", uri(), "--expect", "final:LIVID");
        assertThat(bad.exitCode()).isEqualTo(CommandFailure.USAGE);
        assertThat(bad.err()).contains("--expect wants EVENT:STAGE");
        KickoffCliTest.Run tooMany = KickoffCliTest.run("simulate", "--gateway", uri(), "--devices", "40000");
        assertThat(tooMany.exitCode()).isEqualTo(CommandFailure.USAGE);
        assertThat(tooMany.err()).contains("use --workers 3");
    }

    @Test
    void aWatchOnAnEventThatNeverComesEndsWithAHintInsteadOfWaitingForever() throws Exception {
        Path report = dir.resolve("unknown.json");
        CliRun run = CliRun.start("simulate", "--gateway", uri(), "--devices", "2", "--token-secret", SECRET,
                "--watch", "no-such-event", "--watch-start-timeout", "1s", "--report-json", report.toString());

        assertThat(run.exit().get(WAIT.toSeconds(), TimeUnit.SECONDS)).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).contains("kickoff: no device received no-such-event seq 1 within 1s",
                "GET /v1/events/no-such-event", "segment");
        JsonNode figures = json(report);
        assertThat(figures.get("phase").asText()).isEqualTo("done");
        assertThat(figures.get("ok").asBoolean()).isFalse();
        assertThat(figures.get("error").asText()).contains("no-such-event");
    }

    @Test
    void aDurationThatIsNotOneIsAUsageErrorSayingWhatToWrite() {
        KickoffCliTest.Run run = KickoffCliTest.run("simulate", "--gateway", uri(), "--connect-timeout", "ten");
        assertThat(run.exitCode()).isEqualTo(CommandFailure.USAGE);
        assertThat(run.err()).contains("'ten' is not a duration: write e.g. 30s");
    }

    @Test
    void devicesThatWithholdAcksGetUpdatesAgain() throws Exception {
        Path report = dir.resolve("withheld.json");
        CliRun run = CliRun.start("simulate", "--gateway", uri(), "--devices", "5", "--token-secret", SECRET,
                "--withhold-acks", "--watch", "redelivered", "--hold", "--report-json", report.toString());
        await().atMost(WAIT).until(() -> gateway.connectedDevices() == 5);
        publish("redelivered", Stage.LIVE, 1);

        // The gateway sends the un-acked update again (ack timeout 200 ms): devices see duplicates.
        await().atMost(WAIT).until(() -> gateway.metrics().count("kickoff_gateway_redeliveries") >= 5);
        await().atMost(WAIT).until(() -> Files.exists(report) && json(report).get("phase").asText().equals("holding"));
        SimulateCommand command = run.command("simulate");
        command.stop.request();

        assertThat(run.exit().get(WAIT.toSeconds(), TimeUnit.SECONDS)).as(run.toString()).isZero();
        JsonNode figures = json(report);
        assertThat(figures.get("phase").asText()).isEqualTo("done");
        assertThat(figures.get("acks").asBoolean()).isFalse();
        assertThat(figures.get("broadcasts").get(0).get("reached").asInt()).isEqualTo(5);
        assertThat(figures.get("duplicates").isIntegralNumber()).isTrue();
        await().atMost(WAIT).until(() -> gateway.connectedDevices() == 0);
        assertThat(acks()).isZero();
    }

    @Test
    void playersSendViewingSignalsAtLive() throws Exception {
        java.util.Set<String> playing = java.util.concurrent.ConcurrentHashMap.newKeySet();
        io.kickoff.bus.Subscription viewing = gateways.bus("test").subscribe(io.kickoff.bus.Topic.VIEWING,
                io.kickoff.bus.StartFrom.NOW, record -> playing.add(record.key()));
        gateways.closeAfter(viewing::close);
        CliRun run = CliRun.start("simulate", "--gateway", uri(), "--devices", "4", "--token-secret", SECRET,
                "--id-prefix", "p-", "--play-share", "0.5", "--play-delay", "100ms");
        await().atMost(WAIT).until(() -> gateway.connectedDevices() == 4);
        publish("played", Stage.LIVE, 1);

        // Half the fleet, the first devices, plays.
        await().atMost(WAIT).until(() -> playing.equals(java.util.Set.of("p-0", "p-1")));
        SimulateCommand command = run.command("simulate");
        command.stop.request();
        assertThat(run.exit().get(WAIT.toSeconds(), TimeUnit.SECONDS)).as(run.toString()).isZero();
        assertThat(playing).containsExactlyInAnyOrder("p-0", "p-1");
    }

    @Test
    void aPlayShareOutsideZeroToOneIsAUsageError() {
        KickoffCliTest.Run run = KickoffCliTest.run("simulate", "--gateway", uri(), "--token-secret", SECRET,
                "--play-share", "1.5");
        assertThat(run.exitCode()).isEqualTo(CommandFailure.USAGE);
        assertThat(run.err()).contains("--play-share").contains("[0, 1]");
    }

    @Test
    void withoutWatchDevicesHoldUntilStopped() throws Exception {
        Path report = dir.resolve("hold.json");
        CliRun run = CliRun.start("simulate", "--gateway", uri(), "--devices", "3", "--token-secret", SECRET,
                "--format", "json", "--report-json", report.toString());
        await().atMost(WAIT).until(() -> Files.exists(report) && json(report).get("phase").asText().equals("holding"));
        assertThat(gateway.connectedDevices()).isEqualTo(3);
        assertThat(json(report).get("format").asText()).isEqualTo("kickoff.v1.json");
        assertThat(run.exit()).isNotDone();

        SimulateCommand command = run.command("simulate");
        command.stop.request();
        assertThat(run.exit().get(WAIT.toSeconds(), TimeUnit.SECONDS)).as(run.toString()).isZero();
        assertThat(run.out()).contains("holding 3 connected devices");
        await().atMost(WAIT).until(() -> gateway.connectedDevices() == 0);
    }

    @Test
    void noGatewayListeningIsAFailureNotAnEndlessWatch() throws Exception {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        CliRun run = CliRun.start("simulate", "--gateway", "ws://127.0.0.1:" + closedPort, "--devices", "2",
                "--connect-timeout", "PT1S", "--watch", "never");
        assertThat(run.exit().get(WAIT.toSeconds(), TimeUnit.SECONDS)).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).contains("no device connected within PT1S");
    }

    @Test
    void aWrongTokenSecretEndsTheRunAtOnce() throws Exception {
        Path report = dir.resolve("refused.json");
        CliRun run = CliRun.start("simulate", "--gateway", uri(), "--devices", "3",
                "--token-secret", "not-the-gateway-secret-not-the-gateway-secret", "--report-json", report.toString());
        assertThat(run.exit().get(WAIT.toSeconds(), TimeUnit.SECONDS)).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).contains("refused", "401", "--token-secret");
        assertThat(json(report).get("error").asText()).contains("401");
        assertThat(json(report).get("ok").asBoolean()).isFalse();
    }

    @Test
    void accountsGiveDevicesSharedAccountsThatTheirViewingSignalsCarry() throws Exception {
        java.util.Map<String, String> accountOf = new java.util.concurrent.ConcurrentHashMap<>();
        var viewing = gateways.bus("viewing-reader").subscribe(io.kickoff.bus.Topic.VIEWING, io.kickoff.bus.StartFrom.NOW,
                record -> {
                    try {
                        var signal = io.kickoff.protocol.v1.Viewing.parseFrom(record.value());
                        accountOf.put(signal.getDeviceId(), signal.getAccount());
                    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                        throw new AssertionError(e);
                    }
                });
        CliRun run = CliRun.start("simulate", "--gateway", uri(), "--devices", "5", "--token-secret", SECRET,
                "--id-prefix", "acc-", "--accounts", "2", "--play-share", "1");
        try {
            await().atMost(WAIT).until(() -> gateway.connectedDevices() == 5);
            publish("final", Stage.LIVE, 1);
            await().atMost(WAIT).until(() -> accountOf.size() == 5);
            assertThat(accountOf).containsOnly(java.util.Map.entry("acc-0", "acct-0"), java.util.Map.entry("acc-1", "acct-1"),
                    java.util.Map.entry("acc-2", "acct-0"), java.util.Map.entry("acc-3", "acct-1"),
                    java.util.Map.entry("acc-4", "acct-0"));
        } finally {
            SimulateCommand command = run.command("simulate");
            command.stop.request();
            run.exit().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            viewing.close();
        }
    }

    @Test
    void withoutAccountsTokensCarryNoneAndANegativeCountIsRefused() throws Exception {
        DeviceTokens signer = DeviceTokens.withSecret(SECRET);
        assertThat(signer.verify(SimulateCommand.deviceTokens("p-", "us-en", signer, Duration.ofHours(1), 0).apply(3))
                .account()).isEmpty();
        var claims = signer.verify(SimulateCommand.deviceTokens("p-", "us-en", signer, Duration.ofHours(1), 3).apply(7));
        assertThat(claims.deviceId()).isEqualTo("p-7");
        assertThat(claims.segment()).isEqualTo("us-en");
        assertThat(claims.account()).isEqualTo("acct-1");
        KickoffCliTest.Run refused = KickoffCliTest.run("simulate", "--gateway", uri(), "--accounts", "-1");
        assertThat(refused.exitCode()).isEqualTo(CommandFailure.USAGE);
        assertThat(refused.err()).contains("--accounts must not be negative");
    }
}
