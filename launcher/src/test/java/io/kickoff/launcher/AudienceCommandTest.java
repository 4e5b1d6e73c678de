package io.kickoff.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.audience.AudienceSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kickoff audience} up to the point where it needs a broker: its options, defaults and refusals. */
class AudienceCommandTest {
    @TempDir
    Path dir;

    @Test
    void helpListsTheAudienceSettingsWithTheTopologysDefaults() {
        assertThat(KickoffCliTest.run("--help").out()).contains("audience");
        String help = KickoffCliTest.help("audience");
        assertThat(help).contains("--kafka=HOST:PORT", "--kafka-property=KEY=VALUE", "--kafka-config=FILE",
                "--port=<port>", "(default: 8083)", "--application-id=<applicationId>", "(default: kickoff-audience)",
                "--state-dir=DIR", "--replication-factor=N", "--standby-replicas=N", "--partitions=N",
                "--viewing-heartbeat-interval=DURATION", "--missed-heartbeats=N", "--play-window=DURATION",
                "--series-retention=DURATION", "share the work", "exits 1 with the reason");
        AudienceSettings defaults = AudienceSettings.defaults();
        assertThat(AudienceCommand.defaults()).containsEntry("--viewing-heartbeat-interval", "10s")
                .containsEntry("--missed-heartbeats", Integer.toString(defaults.missedHeartbeats()))
                .containsEntry("--play-window", "1m")
                .containsEntry("--series-retention", "2h")
                .containsEntry("--partitions", "6");
    }

    @Test
    void itsSettingsAreKeysOfTheConfigurationFileAndTheViewingHeartbeatIsSharedWithTheGateways() throws Exception {
        Path config = Files.writeString(dir.resolve("kickoff.yaml"), """
                viewing-heartbeat-interval: 5s
                audience:
                  play-window: 30s
                  application-id: audience-blue
                """);
        KickoffCliTest.Run print = KickoffCliTest.run(Map.of(), "config", "print", "audience", "gateway", "--config",
                config.toString());
        assertThat(print.exitCode()).as(print.err()).isZero();
        String audience = print.out().substring(print.out().indexOf("audience:"), print.out().indexOf("gateway:"));
        String gateway = print.out().substring(print.out().indexOf("gateway:"));
        assertThat(audience).contains("  viewing-heartbeat-interval: 5s  # file " + config + " (viewing-heartbeat-interval)",
                "  play-window: 30s  # file " + config + " (audience.play-window)",
                "  application-id: audience-blue  # file", "  missed-heartbeats: 2  # default");
        assertThat(gateway).contains("  viewing-heartbeat-interval: 5s  # file " + config + " (viewing-heartbeat-interval)");
    }

    @Test
    void serveSaysTheAudienceNeedsKafka() {
        assertThat(KickoffCliTest.help("serve")).contains("it also runs an audience instance",
                "The audience needs Kafka: --mode memory has none.");
    }

    @Test
    void needsKafkaAndRefusesBadSettingsInOneLineBeforeStartingAnything() {
        KickoffCliTest.Run noKafka = KickoffCliTest.run(Map.of(), "audience");
        assertThat(noKafka.exitCode()).isEqualTo(CommandFailure.USAGE);
        assertThat(noKafka.err()).contains("--kafka");

        for (String[] bad : new String[][] {{"--missed-heartbeats", "0"}, {"--viewing-heartbeat-interval", "0s"},
                {"--partitions", "0"}, {"--standby-replicas", "-1"}, {"--series-retention", "10m"},
                {"--application-id", " "}}) {
            KickoffCliTest.Run refused = KickoffCliTest.run(Map.of(), "audience", "--kafka", "127.0.0.1:1", "--port", "0",
                    bad[0], bad[1]);
            assertThat(refused.exitCode()).as(String.join(" ", bad) + ": " + refused.err()).isEqualTo(CommandFailure.USAGE);
            assertThat(refused.err()).as(String.join(" ", bad)).startsWith("kickoff: bad audience setting:");
            KickoffCliTest.assertOneLine(refused, String.join(" ", bad));
        }
    }

    @Test
    void anUnreachableKafkaIsOneLineAndExitOne() throws Exception {
        int nobody;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            nobody = probe.getLocalPort();
        }
        KickoffCliTest.Run run = KickoffCliTest.run(Map.of(), "audience", "--kafka", "127.0.0.1:" + nobody, "--port", "0",
                "--state-dir", dir.toString());
        assertThat(run.exitCode()).as(run.err()).isEqualTo(CommandFailure.DEPENDENCY);
        assertThat(run.err()).contains("no Kafka broker answers at 127.0.0.1:" + nobody);
        assertThat(run.err().strip().lines()).hasSize(1);
    }

    @Test
    void aTakenPortIsAUsageErrorNamingIt() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            KickoffCliTest.Run run = KickoffCliTest.run(Map.of(), "audience", "--kafka", "127.0.0.1:1", "--port",
                    Integer.toString(taken.getLocalPort()));
            assertThat(run.exitCode()).isEqualTo(CommandFailure.USAGE);
            assertThat(run.err()).contains("(--port)");
        }
    }
}
