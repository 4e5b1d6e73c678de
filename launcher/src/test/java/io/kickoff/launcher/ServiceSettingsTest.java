package io.kickoff.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.gateway.GatewayConfig;
import io.kickoff.lsm.LiveStateManager;
import io.kickoff.lsm.api.AdminToken;
import io.kickoff.prefetch.http.BundleServerConfig;
import io.kickoff.protocol.token.DeviceTokens;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The settings that used to exist only in Java, as options (and so as keys of the configuration file): the gateway's
 * protocol and protection settings on {@code serve} and {@code demo}, the leader lease and relay of {@code lsm}, the
 * connection cap and Retry-After range of {@code prefetch}.
 */
class ServiceSettingsTest {
    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    KickoffCliTest.Run run(String... args) {
        return KickoffCliTest.run(Map.of(), args);
    }

    Path file(String yaml) throws Exception {
        return Files.writeString(dir.resolve("kickoff.yaml"), yaml);
    }

    @Test
    void serveAndDemoHaveEveryGatewaySettingWithTheGatewaysDefaults() throws Exception {
        Path config = file("""
                serve:
                  ack-timeout: 3s
                demo:
                  max-frame-size: 16KiB
                """);
        KickoffCliTest.Run print = run("config", "print", "serve", "demo", "--config", config.toString());

        assertThat(print.exitCode()).as(print.err()).isZero();
        String serve = print.out().substring(print.out().indexOf("serve:"), print.out().indexOf("demo:"));
        String demo = print.out().substring(print.out().indexOf("demo:"));
        GatewaySettings.defaults().forEach((option, value) -> {
            String name = option.substring(2);
            if (!name.equals("ack-timeout")) {
                assertThat(serve).contains("  " + name + ": " + value + "  # default");
            }
            if (!name.equals("max-frame-size")) {
                assertThat(demo).contains("  " + name + ": " + value + "  # default");
            }
        });
        assertThat(serve).contains("  ack-timeout: 3s  # file " + config + " (serve.ack-timeout)");
        assertThat(demo).contains("  max-frame-size: 16KiB  # file " + config + " (demo.max-frame-size)");
        assertThat(run("serve", "--help").out()).contains("--heartbeat-interval=DURATION", "(default: 64KiB)");
    }

    @Test
    void serveStartsItsGatewayWithTheSettingsOfTheFile() throws Exception {
        Path config = file("""
                serve:
                  gateway-port: 0
                  admin-port: 0
                  bundle-port: 0
                  heartbeat-interval: 7s
                  reconnect-base: 300ms
                  reconnect-max: 9s
                """);
        CliRun serve = CliRun.start("serve", "--config", config.toString());
        try {
            int port = Integer.parseInt(serve.awaitFound("device socket ws://127\\.0\\.0\\.1:(\\d+)/v1/connect", WAIT));
            String welcome = firstMessage(port);
            assertThat(welcome).contains("\"heartbeatIntervalMs\":7000", "\"baseDelayMs\":300", "\"maxDelayMs\":9000");
        } finally {
            ((ServeCommand) serve.command("serve")).stop.request();
            assertThat(serve.exit().get(WAIT.toSeconds(), TimeUnit.SECONDS)).as(serve.toString()).isZero();
        }
    }

    /** The welcome a device gets from the gateway on {@code port}. */
    static String firstMessage(int port) throws Exception {
        String token = DeviceTokens.withSecret(PlatformOptions.DEV_TOKEN_SECRET).issue("settings-device", "us-en-adult",
                Duration.ofMinutes(5));
        CompletableFuture<String> first = new CompletableFuture<>();
        StringBuilder text = new StringBuilder();
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Authorization", "Bearer " + token)
                .subprotocols("kickoff.v1.json")
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/v1/connect"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            first.complete(text.toString());
                        }
                        ws.request(1);
                        return null;
                    }
                }).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        try {
            socket.sendText("{\"hello\":{\"positions\":{},\"capabilities\":[],\"clientVersion\":\"settings-test/1\"}}", true)
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            return first.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } finally {
            socket.abort();
        }
    }

    @Test
    void theViewingSignalSettingsAreGatewayOptionsWithTheGatewaysDefaultsAndReachTheWelcome() throws Exception {
        GatewayConfig.ViewingSignals d = GatewayConfig.ViewingSignals.DEFAULT;
        assertThat(GatewaySettings.defaults())
                .containsEntry("--viewing-heartbeat-interval", Durations.format(d.heartbeatInterval()))
                .containsEntry("--viewing-flush-interval", Durations.format(d.flushInterval()))
                .containsEntry("--viewing-batch-size", Integer.toString(d.batchSize()))
                .containsEntry("--viewing-max-queued", Integer.toString(d.maxQueued()));
        for (String command : new String[] {"serve", "demo", "gateway"}) {
            assertThat(KickoffCliTest.help(command)).as(command).contains("--viewing-heartbeat-interval=DURATION",
                    "--viewing-flush-interval=DURATION", "--viewing-batch-size=N", "--viewing-max-queued=N");
        }
        Path config = file("""
                serve:
                  gateway-port: 0
                  admin-port: 0
                  bundle-port: 0
                  viewing-heartbeat-interval: 3s
                """);
        CliRun serve = CliRun.start("serve", "--config", config.toString());
        try {
            int port = Integer.parseInt(serve.awaitFound("device socket ws://127\\.0\\.0\\.1:(\\d+)/v1/connect", WAIT));
            assertThat(firstMessage(port)).contains("\"viewingHeartbeatIntervalMs\":3000");
        } finally {
            ((ServeCommand) serve.command("serve")).stop.request();
            assertThat(serve.exit().get(WAIT.toSeconds(), TimeUnit.SECONDS)).as(serve.toString()).isZero();
        }
    }

    @Test
    void viewingSettingsThatDoNotFitTogetherAreAUsageErrorBeforeStartingAnything() throws Exception {
        KickoffCliTest.Run refused = run("serve", "--viewing-batch-size", "500", "--viewing-max-queued", "100",
                "--gateway-port", "0", "--admin-port", "0", "--bundle-port", "0");
        assertThat(refused.exitCode()).as(refused.err()).isEqualTo(CommandFailure.USAGE);
        assertThat(refused.err()).contains("viewing batchSize <= maxQueued");
        KickoffCliTest.Run zero = run("gateway", "--kafka", "127.0.0.1:1", "--port", "0", "--viewing-flush-interval", "0s");
        assertThat(zero.exitCode()).as(zero.err()).isEqualTo(CommandFailure.USAGE);
        assertThat(zero.err()).contains("viewing heartbeat and flush intervals");
    }

    @Test
    void serveAndDemoRefuseGatewaySettingsThatDoNotFitTogetherBeforeStartingAnything() throws Exception {
        Path config = file("""
                write-buffer-low: 1MiB
                write-buffer-high: 64KiB
                """);
        for (String command : new String[] {"serve", "demo"}) {
            KickoffCliTest.Run refused = run(command, "--config", config.toString(), "--gateway-port", "0",
                    "--admin-port", "0", "--bundle-port", "0");
            assertThat(refused.exitCode()).as(command + ": " + refused.err()).isEqualTo(CommandFailure.USAGE);
            assertThat(refused.err()).contains("writeBufferLow < writeBufferHigh");
        }
    }

    @Test
    void lsmHasItsLeaseStoreTimeoutAndRelayGroupAsOptionsWithTheLiveStateManagersDefaults() throws Exception {
        LiveStateManager.Config defaults = LiveStateManager.Config.of("127.0.0.1", 0,
                Map.of("t", AdminToken.operator("admin")), "lsm-1");
        KickoffCliTest.Run print = run("config", "print", "lsm");
        assertThat(print.out()).contains(
                "  lease-ttl: " + Durations.format(defaults.leaseTtl()) + "  # default",
                "  store-timeout: " + Durations.format(defaults.storeTimeout()) + "  # default",
                "  relay-group: " + defaults.relayGroup() + "  # default");

        KickoffCliTest.Run shortLease = run("lsm", "--kafka", "127.0.0.1:9", "--port", "0", "--lease-ttl", "100ms");
        assertThat(shortLease.exitCode()).isEqualTo(CommandFailure.USAGE);
        assertThat(shortLease.err()).contains("bad Live State Manager setting", "--lease-ttl at least 300ms");
    }

    @Test
    void prefetchHasItsConnectionCapAndRetryAfterRangeAsOptionsWithTheBundleServersDefaults() throws Exception {
        BundleServerConfig defaults = BundleServerConfig.defaults();
        KickoffCliTest.Run print = run("config", "print", "prefetch");
        assertThat(print.out()).contains(
                "  max-connections: " + defaults.edge().maxConnections() + "  # default",
                "  retry-after-min: " + Durations.format(defaults.retryAfterMin()) + "  # default",
                "  retry-after-max: " + Durations.format(defaults.retryAfterMax()) + "  # default");

        KickoffCliTest.Run upsideDown = run("prefetch", "--kafka", "127.0.0.1:9", "--port", "0",
                "--retry-after-min", "1m", "--retry-after-max", "10s");
        assertThat(upsideDown.exitCode()).isEqualTo(CommandFailure.USAGE);
        assertThat(upsideDown.err()).contains("bad bundle API setting", "retryAfterMax < retryAfterMin");
    }
}
