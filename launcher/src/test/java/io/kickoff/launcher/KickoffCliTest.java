package io.kickoff.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.gateway.GatewayConfig;
import io.kickoff.protocol.token.DeviceClaims;
import io.kickoff.protocol.token.DeviceTokens;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class KickoffCliTest {

    record Run(int exitCode, String out, String err) {
    }

    static Run run(String... args) {
        return run(System.getenv(), args);
    }

    /** A run that sees {@code env} as its environment (KICKOFF_* variables, KICKOFF_CONFIG). */
    static Run run(java.util.Map<String, String> env, String... args) {
        CommandLine cli = Kickoff.commandLine(env);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void helpListsTheCommands() {
        Run help = run("--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("serve", "demo", "gateway", "lsm", "simulate", "kafka", "token");
        for (String command : new String[] {"serve", "demo", "gateway", "lsm", "simulate", "kafka", "token"}) {
            Run sub = run(command, "--help");
            assertThat(sub.exitCode()).as(command).isZero();
            assertThat(sub.out()).as(command).contains("Usage:");
        }
    }

    /** Help text of a command with line wrapping undone. */
    static String help(String command) {
        Run help = run(command, "--help");
        assertThat(help.exitCode()).isZero();
        return help.out().replaceAll("\\s+", " ");
    }

    @Test
    void sharedOptionsReadTheSameInEveryCommand() {
        String tokenSecret = "--token-secret=<secret> HMAC secret of device tokens, at least 32 bytes; gateways, "
                + "prefetch nodes and clients share it (env KICKOFF_TOKEN_SECRET; default: the development secret).";
        for (String command : new String[] {"gateway", "prefetch", "simulate", "token"}) {
            assertThat(help(command)).as(command).contains(tokenSecret);
        }
        for (String command : new String[] {"gateway", "lsm", "prefetch"}) {
            assertThat(help(command)).as(command).contains("--host=<host> Address to listen on (default: 127.0.0.1).");
        }
        assertThat(help("merge-reports")).contains("--triggered-at=SEQ=EPOCH_US", "--steady-from", "REPORT");
        assertThat(run("--help").out()).doesNotContain("merge-reports");
    }

    @Test
    void helpNamesTheModesAndTheGatewayDefaults() {
        assertThat(help("serve")).contains("memory, embedded, external", "--kafka", "--redis");
        assertThat(help("demo")).contains("memory, embedded, external");
        GatewayConfig defaults = GatewayConfig.builder().build();
        assertThat(help("gateway")).contains("--kafka", "--max-connections", "--ops-token",
                "--io-threads", "--token-secret", "--node-id", "--max-connects-per-second",
                "(default: " + defaults.maxConnectsPerSecond() + ")", "(default: " + Durations.format(defaults.drainWindow()) + ")");
        assertThat(help("lsm")).contains("--kafka", "--port", "--admin-token");
        assertThat(help("simulate")).contains("--gateway", "--source-addresses", "--withhold-acks",
                "--watch-seq", "--report-json", "proto, json", "--connects-per-second", "--max-concurrent-connects");
        assertThat(help("kafka")).contains("--bootstrap-file");
    }

    @Test
    void externalModeNeedsKafka() {
        for (String command : new String[] {"serve", "demo"}) {
            Run missing = run(command, "--mode", "external");
            assertThat(missing.exitCode()).as(command).isEqualTo(2);
            assertThat(missing.err()).as(command).contains("--mode external needs --kafka HOST:PORT");
        }
        Run bad = run("serve", "--mode", "external", "--kafka", "no-port-here");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--kafka wants HOST:PORT");
        Run badRedis = run("serve", "--mode", "external", "--kafka", "127.0.0.1:9092", "--redis", "http://x");
        assertThat(badRedis.exitCode()).isEqualTo(2);
        assertThat(badRedis.err()).contains("--redis wants redis://");
    }

    @Test
    void kafkaAndRedisAreOnlyForExternalMode() {
        Run memory = run("serve", "--kafka", "127.0.0.1:9092");
        assertThat(memory.exitCode()).isEqualTo(2);
        assertThat(memory.err()).contains("--kafka is only used with --mode external");
        Run embedded = run("demo", "--mode", "embedded", "--redis", "redis://127.0.0.1:6379");
        assertThat(embedded.exitCode()).isEqualTo(2);
        assertThat(embedded.err()).contains("--redis is only used with --mode external", "starts its own");
        assertThat(run("serve", "--mode", "nowhere").exitCode()).isEqualTo(2);
    }

    @Test
    void gatewayAndLsmProcessesNeedKafka() {
        for (String command : new String[] {"gateway", "lsm", "prefetch"}) {
            Run missing = run(command);
            assertThat(missing.exitCode()).as(command).isEqualTo(2);
            assertThat(missing.err()).as(command).contains("--kafka");
            assertThat(run(command, "--kafka", "nonsense").exitCode()).as(command).isEqualTo(2);
        }
        Run negative = run("gateway", "--kafka", "127.0.0.1:9092", "--max-connections", "-1");
        assertThat(negative.exitCode()).isEqualTo(2);
        assertThat(negative.err()).contains("must not be negative");
        assertThat(run("gateway", "--kafka", "127.0.0.1:9092", "--drain-window", "PT-1S").exitCode()).isEqualTo(2);
        assertThat(run("gateway", "--kafka", "127.0.0.1:9092", "--drain-window", "later").exitCode()).isEqualTo(2);
        for (String devices : new String[] {"-1", "5001"}) {
            Run badWarmUp = run("gateway", "--kafka", "127.0.0.1:9092", "--warm-up-devices", devices);
            assertThat(badWarmUp.exitCode()).as(devices).isEqualTo(2);
            assertThat(badWarmUp.err()).as(devices).contains("--warm-up-devices must be 0..5000");
        }
        assertThat(help("gateway")).contains("--warm-up-devices", "default: 256");
    }

    @Test
    void prefetchRefusesBadLimitsBeforeStartingAnything() {
        for (String[] bad : new String[][] {{"--max-in-flight", "0"}, {"--critical-reserve", "-1"},
                {"--max-age-jitter", "1"}, {"--max-age", "PT-5S"}, {"--io-threads", "0"}}) {
            Run refused = run("prefetch", "--kafka", "127.0.0.1:9092", bad[0], bad[1]);
            assertThat(refused.exitCode()).as(String.join(" ", bad)).isEqualTo(2);
            assertThat(refused.err()).as(String.join(" ", bad)).contains("bad bundle API setting");
        }
        assertThat(run("prefetch", "--kafka", "127.0.0.1:9092", "--max-in-flight", "many").exitCode()).isEqualTo(2);
        for (String[] bad : new String[][] {{"--audience-estimate", "us-en=lots"}, {"--audience-estimate", "us-en=0.5,us-en=0.6"},
                {"--min-push-share", "0"}, {"--min-push-share", "1.5"}}) {
            Run refused = run("prefetch", "--kafka", "127.0.0.1:9092", bad[0], bad[1]);
            assertThat(refused.exitCode()).as(String.join(" ", bad)).isEqualTo(2);
            assertThat(refused.err()).as(String.join(" ", bad)).contains("--audience-estimate/--min-push-share: ");
        }
        Run help = run("prefetch", "--help");
        assertThat(help.out()).contains("--max-in-flight", "(default: 512)", "--critical-reserve", "(default: 64)");
    }

    @Test
    void prefetchTakesItsAudienceEstimateFromTheConfigFileAsAMap(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path config = java.nio.file.Files.writeString(dir.resolve("kickoff.yaml"), """
                prefetch:
                  audience-estimate: {us-en: 0.6, final/uk-en: 0.3}
                  min-push-share: 0.2
                """);
        Run print = run("config", "print", "prefetch", "--config", config.toString());
        assertThat(print.exitCode()).as(print.err()).isZero();
        assertThat(print.out()).contains("audience-estimate: 'us-en=0.6,final/uk-en=0.3'", "min-push-share: 0.2");

        java.nio.file.Path bad = java.nio.file.Files.writeString(dir.resolve("bad.yaml"),
                "prefetch:\n  audience-estimate: {us-en: 0.6, uk-en: lots}\n");
        Run refused = run("prefetch", "--kafka", "127.0.0.1:9092", "--config", bad.toString());
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).contains("audience estimate 'uk-en=lots' is not [EVENT/]SEGMENT=WEIGHT");
    }

    @Test
    void simulateRefusesBadOptions() {
        Run noGateway = run("simulate", "--devices", "10");
        assertThat(noGateway.exitCode()).isEqualTo(2);
        assertThat(noGateway.err()).contains("--gateway");
        String gw = "ws://127.0.0.1:9";
        assertThat(run("simulate", "--gateway", gw, "--format", "xml").err()).contains("proto, json");
        assertThat(run("simulate", "--gateway", "http://127.0.0.1:9").err()).contains("--gateway wants ws://");
        assertThat(run("simulate", "--gateway", gw, "--bundle-api", "ws://127.0.0.1:9").err()).contains("--bundle-api wants http://");
        assertThat(run("simulate", "--gateway", gw, "--devices", "0").err()).contains("--devices must be at least 1");
        assertThat(run("simulate", "--gateway", gw, "--source-addresses", "127.0.0.2,somewhere").err())
                .contains("--source-addresses wants IP addresses");
        assertThat(run("simulate", "--gateway", gw, "--watch", "e", "--watch-seq", "1,0").err())
                .contains("--watch-seq values must be at least 1");
        assertThat(run("simulate", "--gateway", gw, "--report-latencies").err()).contains("need --watch");
        assertThat(run("simulate", "--gateway", gw, "--watch-timeout", "PT0S").err()).contains("must be positive");
        for (String[] args : new String[][] {{"--format", "xml"}, {"--devices", "0"}, {"--watch-seq", "x"}}) {
            String[] full = new String[args.length + 3];
            full[0] = "simulate";
            full[1] = "--gateway";
            full[2] = gw;
            System.arraycopy(args, 0, full, 3, args.length);
            assertThat(run(full).exitCode()).as(String.join(" ", args)).isEqualTo(2);
        }
    }

    @Test
    void noCommandOrAnUnknownOneIsAUsageError() {
        assertThat(run().exitCode()).isEqualTo(2);
        Run unknown = run("launch");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("launch");
    }

    @Test
    void tokenPrintsAVerifiableDeviceToken() throws Exception {
        String secret = "a-secret-of-at-least-thirty-two-bytes!";
        Run token = run("token", "--device", "tv-42", "--segment", "us-en", "--token-secret", secret);
        assertThat(token.exitCode()).isZero();
        DeviceClaims claims = DeviceTokens.withSecret(secret).verify(token.out().trim());
        assertThat(claims.deviceId()).isEqualTo("tv-42");
        assertThat(claims.segment()).isEqualTo("us-en");
    }

    @Test
    void tokenWithAnAccountPutsItInTheAcctClaim() throws Exception {
        String secret = "a-secret-of-at-least-thirty-two-bytes!";
        Run token = run("token", "--device", "tv-42", "--segment", "us-en", "--account", "acct-7", "--token-secret", secret);
        assertThat(token.exitCode()).as(token.err()).isZero();
        assertThat(DeviceTokens.withSecret(secret).verify(token.out().trim()).account()).isEqualTo("acct-7");
        Run without = run("token", "--device", "tv-42", "--segment", "us-en", "--token-secret", secret);
        assertThat(DeviceTokens.withSecret(secret).verify(without.out().trim()).account()).isEmpty();
        assertThat(run("token", "--device", "d", "--segment", "s", "--account", " ").exitCode()).isEqualTo(2);
    }

    @Test
    void tokenRefusesBadSettingsInOneLine() {
        Run shortSecret = run("token", "--device", "d", "--segment", "s", "--token-secret", "short");
        assertThat(shortSecret.exitCode()).isEqualTo(2);
        assertThat(shortSecret.err()).contains("at least 32 bytes");
        assertThat(run("token", "--device", "d").exitCode()).isEqualTo(2);
        assertThat(run("token", "--device", "d", "--segment", "s", "--ttl", "PT-1H").exitCode()).isEqualTo(2);
        assertThat(run("token", "--device", "d", "--segment", "s", "--ttl", "soon").exitCode()).isEqualTo(2);
    }

    @Test
    void demoTellsTheStoryInMemoryModeExitsZeroAndWritesTheReport(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = dir.resolve("demo.json");
        Run demo = run("demo", "--mode", "memory", "--gateway-port", "0", "--admin-port", "0", "--bundle-port", "0",
                "--devices", "25", "--countdown", "1s", "--report", file.toString());
        assertThat(demo.exitCode()).as(demo.out() + demo.err()).isZero();
        assertThat(demo.out()).contains("bundle API    http://127.0.0.1:", "home screen   http://127.0.0.1:")
                .containsSubsequence("services up  in-process bus", "watch        a device in your browser http://127.0.0.1:",
                        "connecting   25 simulated devices", "connected    25/25 devices welcomed",
                        "PREFETCH     ev-ufc-309 created for segments us-en-adult, br-pt-adult",
                        "prefetched   100 % coverage: 25/25 devices hold the bundle", "countdown    LIVE in 1",
                        "LIVE         ev-ufc-309 set LIVE", "delivered    25/25 devices reached; latency p50 ",
                        "bundle cache hits 25/25",
                        "audience     not counted: the audience needs Kafka (--mode embedded or external)",
                        "ENDED        25/25 devices show the event ended",
                        "Summary (25 devices, mode memory):", "time to 100 %       ",
                        "audience            not counted in memory mode (the audience needs Kafka)",
                        "OK: all 25 devices received ev-ufc-309 LIVE (seq 2), its bundle already in hand, and ENDED",
                        "report written to " + file);
        com.fasterxml.jackson.databind.JsonNode report = new com.fasterxml.jackson.databind.ObjectMapper().readTree(file.toFile());
        assertThat(report.get("ok").asBoolean()).isTrue();
        assertThat(report.get("exit_code").asInt()).isZero();
        assertThat(report.get("reason").isNull()).isTrue();
        assertThat(report.get("mode").asText()).isEqualTo("memory");
        assertThat(report.get("devices").asInt()).isEqualTo(25);
        assertThat(report.at("/addresses/home_screen").asText()).startsWith("http://127.0.0.1:").endsWith("/home/");
        assertThat(report.at("/connect/welcomed").asLong()).isEqualTo(25);
        assertThat(report.at("/prefetch/holding_bundle").asLong()).isEqualTo(25);
        assertThat(report.at("/live/reached").asLong()).isEqualTo(25);
        assertThat(report.at("/live/bundle_cache_hits").asLong()).isEqualTo(25);
        assertThat(report.at("/live/time_to_100_ms").isNumber()).isTrue();
        assertThat(report.at("/live/p99_ms").asDouble()).isGreaterThanOrEqualTo(report.at("/live/p50_ms").asDouble());
        assertThat(report.at("/ended/reached").asLong()).isEqualTo(25);
        assertThat(report.get("audience").isNull()).isTrue();
        assertThat(report.get("segments").toString()).isEqualTo("[\"us-en-adult\",\"br-pt-adult\"]");
        assertThat(report.get("timeline_ms").fieldNames()).toIterable()
                .containsExactly("services_up", "connected", "prefetch", "prefetched", "live", "all_live", "ended");
    }

    @Test
    void demoRunsEmbeddedWithAFewThousandDevicesByDefault() {
        assertThat(help("demo")).contains("--mode=<mode>", "(default: embedded)", "--devices=<devices>",
                "(default: 2000)", "--report=FILE", "--countdown");
        // The other commands keep memory as their default.
        assertThat(help("serve")).contains("(default: memory)");
    }

    @Test
    void demoWhoseDevicesCannotAllBeReachedExitsOneWithTheReason(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = dir.resolve("demo.json");
        Run demo = run("demo", "--mode", "memory", "--gateway-port", "0", "--admin-port", "0", "--bundle-port", "0",
                "--devices", "3", "--countdown", "0s", "--timeout", "1ms", "--report", file.toString());
        assertThat(demo.exitCode()).as(demo.out() + demo.err()).isEqualTo(1);
        java.util.List<String> failed = demo.out().lines().filter(l -> l.startsWith("FAILED: ")).toList();
        assertThat(failed).hasSize(1);
        assertThat(failed.get(0)).contains("of 3 devices", "within 1ms");
        assertThat(demo.out()).doesNotContain("OK: ");
        com.fasterxml.jackson.databind.JsonNode report = new com.fasterxml.jackson.databind.ObjectMapper().readTree(file.toFile());
        assertThat(report.get("ok").asBoolean()).isFalse();
        assertThat(report.get("exit_code").asInt()).isEqualTo(1);
        assertThat("FAILED: " + report.get("reason").asText()).isEqualTo(failed.get(0));
    }

    @Test
    void demoForASegmentTheCatalogDoesNotKnowFailsAndSaysWhy() {
        Run demo = run("demo", "--mode", "memory", "--gateway-port", "0", "--admin-port", "0", "--bundle-port", "0",
                "--devices", "3", "--segments", "mars-xx", "--timeout", "3s", "--countdown", "0s");
        assertThat(demo.exitCode()).isEqualTo(1);
        assertThat(demo.out()).contains("FAILED: 0 of 3 devices got the ev-ufc-309 bundle", "mars-xx");
    }

    @Test
    void demoRefusesUnreadableSegmentsAndPlaySharesBeforeStartingAnything() {
        for (String[] bad : new String[][] {{"--segments", "us-en-adult=0"}, {"--segments", "us-en-adult,us-en-adult"},
                {"--segments", "=2"}, {"--play-share", "1.5"}, {"--play-delay", "-1s"}}) {
            Run demo = run(java.util.stream.Stream.concat(java.util.stream.Stream.of("demo", "--mode", "memory"),
                    java.util.Arrays.stream(bad)).toArray(String[]::new));
            assertThat(demo.exitCode()).as(String.join(" ", bad) + ": " + demo.err()).isEqualTo(2);
            assertThat(demo.err()).as(String.join(" ", bad)).doesNotContain("Exception").contains("--");
            assertThat(demo.out()).doesNotContain("Kickoff is up");
        }
    }

    @Test
    void catalogPublishThenDiffShowsWhatChanged(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        Run first = run("catalog", "publish", "--dir", dir.toString(), "--synthetic", "50,2,1");
        assertThat(first.exitCode()).as(first.err()).isZero();
        Run second = run("catalog", "publish", "--dir", dir.toString(), "--synthetic", "55,2,1");
        assertThat(second.exitCode()).as(second.err()).isZero();
        long v1 = Long.parseLong(first.out().replaceAll("(?s).*version (\\d+).*", "$1"));
        long v2 = Long.parseLong(second.out().replaceAll("(?s).*version (\\d+).*", "$1"));
        assertThat(v2).isGreaterThan(v1);
        Run diff = run("catalog", "diff", "--dir", dir.toString(), "--from", "" + v1, "--to", "" + v2);
        assertThat(diff.exitCode()).as(diff.err()).isZero();
        assertThat(diff.out()).contains("Title").contains("added");
    }

    @Test
    void aLargeCatalogChangeIsRefusedUntilAllowedAndVersionsListsWhatWasAnnounced(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        Run empty = run("catalog", "versions", "--dir", dir.toString());
        assertThat(empty.exitCode()).as(empty.err()).isZero();
        assertThat(empty.out()).contains("no catalog version in " + dir);
        Run first = run("catalog", "publish", "--dir", dir.toString(), "--synthetic", "50,2,1");
        assertThat(first.exitCode()).as(first.err()).isZero();
        long v1 = Long.parseLong(first.out().replaceAll("(?s).*version (\\d+).*", "$1"));

        Run tripled = run("catalog", "publish", "--dir", dir.toString(), "--synthetic", "150,2,1");
        assertThat(tripled.exitCode()).isEqualTo(1);
        assertThat(tripled.err()).contains("version not announced", "--allow-change");
        Run allowed = run("catalog", "publish", "--dir", dir.toString(), "--synthetic", "150,2,1", "--allow-change", "250");
        assertThat(allowed.exitCode()).as(allowed.err()).isZero();
        long v2 = Long.parseLong(allowed.out().replaceAll("(?s).*version (\\d+).*", "$1"));

        Run versions = run("catalog", "versions", "--dir", dir.toString());
        assertThat(versions.exitCode()).as(versions.err()).isZero();
        java.util.List<String> lines = versions.out().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(1)).startsWith(Long.toString(v1)).doesNotContain("announced");
        assertThat(lines.get(2)).startsWith(Long.toString(v2)).endsWith("announced").matches(".* B +[0-9,]+ B +announced");
        assertThat(run("catalog", "versions", "--dir", dir.resolve("typo").toString()).exitCode()).isEqualTo(2);
        assertThat(run("catalog", "publish", "--dir", dir.toString(), "--synthetic", "1,1,1", "--allow-change", "-1")
                .exitCode()).isEqualTo(2);
    }

    @Test
    void catalogPublishRefusesBadInput(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        assertThat(run("catalog", "publish", "--dir", dir.toString()).exitCode()).isEqualTo(2);
        assertThat(run("catalog", "publish", "--dir", dir.toString(), "--synthetic", "10,0,1").exitCode()).isEqualTo(2);
        java.nio.file.Path bad = dir.resolve("bad.json");
        java.nio.file.Files.writeString(bad, "{\"titles\": [");
        Run refused = run("catalog", "publish", "--dir", dir.resolve("blobs").toString(), "--json", bad.toString());
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("kickoff catalog publish:");
    }

    @Test
    void demoRefusesZeroDevices() {
        assertThat(run("demo", "--devices", "0").exitCode()).isEqualTo(2);
        assertThat(run("demo", "--timeout", "0s").exitCode()).isEqualTo(2);
        assertThat(run("demo", "--countdown", "soon").exitCode()).isEqualTo(2);
    }

    @Test
    void aTakenPortIsOneLineNamingThePortAndItsOption() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            String port = Integer.toString(taken.getLocalPort());
            Run serve = run("serve", "--gateway-port", "0", "--admin-port", port, "--bundle-port", "0");
            assertThat(serve.exitCode()).as(serve.err()).isEqualTo(2);
            assertThat(serve.err()).contains("127.0.0.1:" + port + " (--admin-port)").doesNotContain("\tat ");
            assertThat(serve.err().strip().lines()).hasSize(1);
            for (String[] command : new String[][] {{"gateway", "--kafka", "127.0.0.1:9092"},
                    {"lsm", "--kafka", "127.0.0.1:9092"}, {"prefetch", "--kafka", "127.0.0.1:9092"}, {"kafka"}}) {
                String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(command),
                        java.util.stream.Stream.of("--port", port)).toArray(String[]::new);
                Run refused = run(args);
                assertThat(refused.exitCode()).as(command[0] + refused.err()).isEqualTo(2);
                assertThat(refused.err()).as(command[0]).contains("127.0.0.1:" + port + " (--port)");
                assertThat(refused.err().strip().lines()).as(command[0]).hasSize(1);
            }
        }
        Run same = run("serve", "--gateway-port", "18080", "--admin-port", "18080");
        assertThat(same.exitCode()).isEqualTo(2);
        assertThat(same.err()).contains("--gateway-port and --admin-port are both 18080");
    }

    @Test
    void anUnreachableKafkaIsOneLineNamingTheAddressAndHowToStartOne() throws Exception {
        int nobody;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            nobody = probe.getLocalPort(); // closed again below: nothing listens there
        }
        Run lsm = run("lsm", "--kafka", "127.0.0.1:" + nobody, "--port", "0");
        assertThat(lsm.exitCode()).as(lsm.err()).isEqualTo(1);
        assertThat(lsm.err()).contains("no Kafka broker answers at 127.0.0.1:" + nobody + " (--kafka)",
                "./kickoff kafka");
        assertThat(lsm.err().strip().lines()).hasSize(1);
    }

    @Test
    void lsmHelpSaysEventsLiveInRedisWithRedisAndInMemoryOnlyWithout() {
        assertThat(help("lsm")).contains("Events live in Redis with --redis", "else in memory")
                .doesNotContain("Events are kept in memory");
    }

    @Test
    void kafkaHelpOffersAPortAndADataDirForFaultDrills() {
        assertThat(help("kafka")).contains("--port", "--data-dir", "kept on exit");
        assertThat(run("kafka", "--port", "70000").exitCode()).isEqualTo(2);
    }

    @Test
    void prefetchRefusesACatalogDirectoryThatDoesNotExistWithoutCreatingIt(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        java.nio.file.Path missing = dir.resolve("no-such-catalog");
        Run serve = run("serve", "--gateway-port", "0", "--admin-port", "0", "--bundle-port", "0",
                "--catalog-dir", missing.toString());
        assertThat(serve.exitCode()).as(serve.err()).isEqualTo(2);
        assertThat(serve.err()).contains("catalog directory " + missing + " does not exist", "kickoff catalog publish");
        assertThat(missing).doesNotExist();
    }

    /** One line on stderr, no stack trace: what every failed command prints. */
    static void assertOneLine(Run run, String what) {
        assertThat(run.err()).as(what).startsWith("kickoff: ").doesNotContain("\tat ", "Exception in");
        assertThat(run.err().strip().lines()).as(what + run.err()).hasSize(1);
    }

    @Test
    void aBadRedisUriIsAUsageErrorOfEveryCommandThatTakesOne(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        for (String[] command : new String[][] {{"lsm", "--kafka", "127.0.0.1:9092", "--port", "0"},
                {"prefetch", "--kafka", "127.0.0.1:9092", "--port", "0", "--catalog-dir", dir.toString()},
                {"serve", "--mode", "external", "--kafka", "127.0.0.1:9092"}}) {
            String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(command),
                    java.util.stream.Stream.of("--redis", "localhost:6379")).toArray(String[]::new);
            Run refused = run(args);
            assertThat(refused.exitCode()).as(command[0] + refused.err()).isEqualTo(2);
            assertThat(refused.err()).as(command[0]).contains("--redis wants redis://HOST[:PORT]", "'localhost:6379'");
            assertOneLine(refused, command[0]);
        }
    }

    @Test
    void aRedisThatDoesNotAnswerIsOneLineNamingItsAddress(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        int nobody;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            nobody = probe.getLocalPort(); // closed again below: nothing listens there
        }
        // Something that accepts connections where the broker should be: the Kafka check passes, Redis comes next.
        try (java.net.ServerSocket broker = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            String kafka = "127.0.0.1:" + broker.getLocalPort();
            String redis = "redis://127.0.0.1:" + nobody;
            for (String[] command : new String[][] {{"lsm", "--kafka", kafka, "--port", "0", "--redis", redis},
                    {"prefetch", "--kafka", kafka, "--port", "0", "--redis", redis, "--catalog-dir", dir.toString()}}) {
                Run refused = run(command);
                assertThat(refused.exitCode()).as(command[0] + refused.err()).isEqualTo(1);
                assertThat(refused.err()).as(command[0]).contains("no Redis server answers at " + redis + " (--redis)",
                        "leave out --redis");
                assertOneLine(refused, command[0]);
            }
        }
    }

    @Test
    void anAnnouncedCatalogThatCannotBeReadIsOneLineAndExitOne(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Files.writeString(dir.resolve("announced.version"), "5");
        java.nio.file.Files.writeString(dir.resolve("snapshot-5"), "not a Hollow blob");
        Run serve = run("serve", "--gateway-port", "0", "--admin-port", "0", "--bundle-port", "0",
                "--catalog-dir", dir.toString());
        assertThat(serve.exitCode()).as(serve.err()).isEqualTo(1);
        assertThat(serve.err()).contains("cannot read the catalog announced in directory " + dir);
        assertOneLine(serve, "serve");
    }

    @Test
    void aCatalogDirectoryThatIsAFileIsAUsageErrorOfPrefetchBeforeAnythingStarts(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("catalog.json"), "{}");
        // No broker at this address: the directory is refused before the command looks for one.
        Run prefetch = run("prefetch", "--kafka", "127.0.0.1:9", "--port", "0", "--catalog-dir", file.toString());
        assertThat(prefetch.exitCode()).as(prefetch.err()).isEqualTo(2);
        assertThat(prefetch.err()).contains("catalog directory " + file + " is not a directory");
        assertOneLine(prefetch, "prefetch");
    }

    @Test
    void anyOtherStartUpFailureIsOneLineWithItsCauseAndExitOne(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("a-file"), "x");
        Run kafka = run("kafka", "--data-dir", file.resolve("data").toString());
        assertThat(kafka.exitCode()).as(kafka.err()).isEqualTo(1);
        assertThat(kafka.err()).contains("Could not prepare a directory for Kafka", file.toString());
        assertOneLine(kafka, "kafka");
    }
}
