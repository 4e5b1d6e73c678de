package io.kickoff.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.protocol.token.DeviceClaims;
import io.kickoff.protocol.token.DeviceTokens;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The configuration file, the environment and flags, in that order of precedence, on real commands. */
class ConfigFileTest {
    static final String FILE_SECRET = "secret-from-the-config-file-0123456789";
    static final String ENV_SECRET = "secret-from-the-environment-0123456789";

    @TempDir
    Path dir;

    KickoffCliTest.Run run(Map<String, String> env, String... args) {
        return KickoffCliTest.run(env, args);
    }

    Path file(String yaml) throws Exception {
        return Files.writeString(dir.resolve("kickoff.yaml"), yaml);
    }

    DeviceClaims claims(KickoffCliTest.Run run, String secret) throws Exception {
        assertThat(run.exitCode()).as(run.err()).isZero();
        return DeviceTokens.withSecret(secret).verify(run.out().strip());
    }

    @Test
    void theFileSetsOptionsForEveryCommandAndPerCommandWithHumanDurations() throws Exception {
        Path config = file("""
                token-secret: %s
                token:
                  device: from-file
                  segment: seg-file
                  ttl: 2h
                """.formatted(FILE_SECRET));

        DeviceClaims claims = claims(run(Map.of(), "token", "--config", config.toString()), FILE_SECRET);

        assertThat(claims.deviceId()).isEqualTo("from-file");
        assertThat(claims.segment()).isEqualTo("seg-file");
        assertThat(Duration.between(java.time.Instant.now(), claims.expiresAt()))
                .isBetween(Duration.ofMinutes(119), Duration.ofMinutes(121));
    }

    @Test
    void flagsOverrideTheEnvironmentWhichOverridesTheFile() throws Exception {
        Path config = file("""
                token-secret: %s
                token: {device: from-file, segment: seg-file, ttl: 2h}
                """.formatted(FILE_SECRET));
        Map<String, String> env = Map.of("KICKOFF_TOKEN_SECRET", ENV_SECRET, "KICKOFF_TOKEN__SEGMENT", "seg-env",
                "KICKOFF_CONFIG", config.toString());

        DeviceClaims claims = claims(run(env, "token", "--device", "from-flag"), ENV_SECRET);

        assertThat(claims.deviceId()).isEqualTo("from-flag");
        assertThat(claims.segment()).isEqualTo("seg-env");
    }

    @Test
    void anUnknownKeyIsRefusedWithItsName() throws Exception {
        Path typo = file("gateway:\n  drian-window: 30s\n");
        KickoffCliTest.Run section = run(Map.of(), "token", "--config", typo.toString(), "--device", "d", "--segment", "s");
        assertThat(section.exitCode()).isEqualTo(CommandFailure.USAGE);
        assertThat(section.err()).contains("unknown key 'gateway.drian-window'", "kickoff gateway has no option --drian-window");

        Path top = file("no-such-thing: 1\n");
        KickoffCliTest.Run topLevel = run(Map.of("KICKOFF_CONFIG", top.toString()), "token", "--device", "d", "--segment", "s");
        assertThat(topLevel.exitCode()).isEqualTo(CommandFailure.USAGE);
        assertThat(topLevel.err()).contains("unknown key 'no-such-thing'");
    }

    @Test
    void aFileThatIsNotYamlOrIsMissingIsAUsageErrorNamingIt() throws Exception {
        Path broken = file("gateway: [\n");
        KickoffCliTest.Run bad = run(Map.of(), "config", "print", "--config", broken.toString());
        assertThat(bad.exitCode()).isEqualTo(CommandFailure.USAGE);
        assertThat(bad.err()).startsWith("kickoff: config file " + broken + " is not valid YAML");
        KickoffCliTest.Run missing = run(Map.of(), "config", "print", "--config", dir.resolve("nope.yaml").toString());
        assertThat(missing.exitCode()).isEqualTo(CommandFailure.USAGE);
        assertThat(missing.err()).contains("cannot read config file");
    }

    @Test
    void configPrintShowsEachValueWithItsSourceAndHidesSecrets() throws Exception {
        Path config = file("""
                kafka: kafka-1:9092
                token-secret: %s
                gateway:
                  drain-window: 45s
                """.formatted(FILE_SECRET));
        KickoffCliTest.Run print = run(Map.of("KICKOFF_GATEWAY__NODE_ID", "gw-7"), "config", "print", "gateway",
                "--config", config.toString());

        assertThat(print.exitCode()).as(print.err()).isZero();
        assertThat(print.out()).contains("# configuration file: " + config,
                "  kafka: kafka-1:9092  # file " + config + " (kafka)",
                "  drain-window: 45s  # file " + config + " (gateway.drain-window)",
                "  node-id: gw-7  # environment KICKOFF_GATEWAY__NODE_ID",
                "  port: 8080  # default",
                "  token-secret: '***'")
                .doesNotContain(FILE_SECRET);
    }

    @Test
    void gatewaySettingsReadSizesAndDurationsAndRefuseOnesThatDoNotFitTogether() throws Exception {
        KickoffCliTest.Run help = run(Map.of(), "gateway", "--help");
        assertThat(help.out()).contains("--max-frame-size=SIZE", "(default: 64KiB)", "--ack-timeout=DURATION");

        Path config = file("""
                gateway:
                  write-buffer-low: 1MiB
                  write-buffer-high: 64KiB
                """);
        KickoffCliTest.Run refused = run(Map.of(), "gateway", "--config", config.toString(), "--kafka", "127.0.0.1:9",
                "--port", "0");
        assertThat(refused.exitCode()).isEqualTo(CommandFailure.USAGE);
        assertThat(refused.err()).contains("writeBufferLow < writeBufferHigh");

        KickoffCliTest.Run badSize = run(Map.of(), "gateway", "--kafka", "127.0.0.1:9", "--max-frame-size", "lots");
        assertThat(badSize.exitCode()).isEqualTo(CommandFailure.USAGE);
        assertThat(badSize.err()).contains("'lots' is not a size: write e.g. 512, 64KiB");
    }
}
