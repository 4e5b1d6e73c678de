package io.kickoff.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kickoff.bus.InProcessEventBus;
import io.kickoff.bus.Topic;
import io.kickoff.gateway.Gateway;
import io.kickoff.gateway.GatewayConfig;
import io.kickoff.protocol.Timestamps;
import io.kickoff.protocol.token.DeviceTokens;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.StageUpdate;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kickoff simulate --misbehave ...} against a real gateway in this JVM: the outcomes per kind in the report. */
class SimulateMisbehaviourOptionsTest {
    static final String SECRET = "simulate-misbehave-test-secret-0123456789";
    static final Duration WAIT = Duration.ofSeconds(60);

    InProcessEventBus bus;
    Gateway gateway;

    @TempDir
    Path dir;

    @BeforeEach
    void startGateway() throws Exception {
        bus = new InProcessEventBus();
        gateway = Gateway.start(GatewayConfig.builder().host("127.0.0.1").port(0).nodeId("gw-misbehave")
                .warmUp(GatewayConfig.WarmUp.OFF).helloTimeout(Duration.ofMillis(300)).build(),
                DeviceTokens.withSecret(SECRET), bus, Clock.systemUTC());
        await().atMost(WAIT).until(gateway::isReady);
    }

    @AfterEach
    void stop() {
        gateway.close();
        bus.close();
    }

    @Test
    void misbehavingDevicesAreCountedPerKindInTheOutputAndTheReport() throws Exception {
        Path report = dir.resolve("misbehave.json");
        CliRun run = CliRun.start("simulate", "--gateway", "ws://127.0.0.1:" + gateway.port(), "--devices", "10",
                "--token-secret", SECRET, "--misbehave", "silent=0.1,clock-skew=0.2", "--clock-skew=-10m",
                "--watch", "final", "--report-json", report.toString());
        // Eight devices say hello (the silent one never does, and is closed 1008 after 300 ms, again and again).
        await().atMost(WAIT).until(() -> gateway.metrics().count("kickoff_gateway_closes", "reason", "no_hello") >= 1
                && gateway.connectedDevices() == 9);
        bus.publish(Topic.STAGES, "final", StageUpdate.newBuilder().setEventId("final").setStage(Stage.LIVE).setSeq(1)
                .setIssuedAt(Timestamps.of(Instant.now())).build().toByteArray()).join();

        assertThat(run.exit().get(WAIT.toSeconds(), TimeUnit.SECONDS)).as(run.toString()).isZero();
        assertThat(run.out()).contains("well-behaved: 7 devices, 7 welcomes, closes {}, refusals {}",
                "clock-skew: 2 devices, 2 welcomes", "silent: 1 devices, 0 welcomes, closes {1008=");
        JsonNode figures = new ObjectMapper().readTree(report.toFile());
        assertThat(figures.get("misbehave").asText()).isEqualTo("clock-skew=0.2,silent=0.1");
        assertThat(figures.at("/outcomes/well-behaved/devices").asInt()).isEqualTo(7);
        assertThat(figures.at("/outcomes/clock-skew/devices").asInt()).isEqualTo(2);
        assertThat(figures.at("/outcomes/silent/close_codes/1008").asLong()).isPositive();
        assertThat(figures.at("/outcomes/silent/welcomes").asLong()).isZero();
        // Nine devices applied the update; the skewed clocks did not push their latencies ten minutes off.
        assertThat(figures.at("/broadcasts/0/applied").asInt()).isEqualTo(9);
        assertThat(figures.at("/broadcasts/0/max_ms").asDouble()).isLessThan(Duration.ofMinutes(5).toMillis());
        assertThat(figures.at("/bundle_cache/hits").asLong()).isZero();
    }

    @Test
    void anUnknownMisbehaviourIsAUsageErrorNamingTheKnownOnes() {
        KickoffCliTest.Run run = KickoffCliTest.run("simulate", "--gateway", "ws://127.0.0.1:" + gateway.port(),
                "--token-secret", SECRET, "--misbehave", "sleepy=0.1");
        assertThat(run.exitCode()).isEqualTo(CommandFailure.USAGE);
        assertThat(run.err()).contains("unknown misbehaviour 'sleepy'", "slow-reader", "reconnect-storm");
    }
}
