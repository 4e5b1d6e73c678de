package io.kickoff.launcher;

import io.kickoff.protocol.v1.Stage;
import io.kickoff.simulator.DeviceFleet;
import io.kickoff.simulator.FleetConfig;
import io.kickoff.simulator.SimulatorReport;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The platform end to end in one process: start it, connect simulated devices, create a demo
 * event, set it LIVE through the admin API and report who received the update.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Start the platform, connect simulated devices, set a demo event LIVE through the admin API "
                + "and print who received it. Exits 0 if every device received the LIVE stage, 1 otherwise.",
                "--mode embedded runs it on a real Kafka broker (and starts a Redis server) that it stops on exit."})
final class DemoCommand implements Callable<Integer> {
    static final String EVENT_ID = "demo-final";

    @Mixin
    PlatformOptionsMixin options;

    @Option(names = "--devices", defaultValue = "200", description = "Simulated devices to connect (default: ${DEFAULT-VALUE}).")
    int devices;

    @Option(names = "--segment", defaultValue = "us-en", description = "Audience segment of the devices (default: ${DEFAULT-VALUE}).")
    String segment;

    @Option(names = "--timeout", defaultValue = "PT30S", description = "How long to wait for every device (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (devices < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--devices must be at least 1");
        }
        options.options.validate(spec);
        PrintWriter out = spec.commandLine().getOut();
        try (Platform platform = Platform.start(options.options)) {
            Banner.print(out, options.options, platform);
            String host = options.options.host;
            URI gateway = URI.create("ws://" + host + ":" + platform.gateway().port() + "/v1/connect");
            URI admin = URI.create("http://" + host + ":" + platform.lsm().adminPort());
            try (DeviceFleet fleet = DeviceFleet.open(FleetConfig.builder()
                    .gateway(gateway)
                    .devices(devices)
                    .deviceIds(i -> "demo-device-" + i)
                    .tokens(i -> platform.tokens().issue("demo-device-" + i, segment, Duration.ofHours(1)))
                    .build())) {
                fleet.connectAll().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                out.printf("%d simulated devices connected to %s%n", fleet.welcomedCount(), gateway);

                HttpClient http = HttpClient.newHttpClient();
                String token = options.options.adminToken;
                call(http, token, admin.resolve("/v1/events"), "{\"id\":\"" + EVENT_ID + "\",\"title\":\"Demo Final\","
                        + "\"scheduled_start\":\"" + Instant.now().plus(Duration.ofHours(2)) + "\",\"segments\":[\"" + segment + "\"]}", 201);
                out.printf("created event %s; setting it LIVE through the admin API%n", EVENT_ID);
                call(http, token, admin.resolve("/v1/events/" + EVENT_ID + "/transitions"), "{\"to\":\"LIVE\"}", 200);

                long deadline = System.nanoTime() + timeout.toNanos();
                while (fleet.countAt(EVENT_ID, Stage.LIVE, 1) < devices && System.nanoTime() < deadline) {
                    Thread.sleep(20); // a CLI polling for completion, not a test
                }
                SimulatorReport report = fleet.report(EVENT_ID, 1);
                long live = fleet.countAt(EVENT_ID, Stage.LIVE, 1);
                out.println(report);
                if (live == devices) {
                    out.printf("OK: all %d devices received %s LIVE (seq 1)%n", devices, EVENT_ID);
                    out.flush();
                    return 0;
                }
                out.printf("FAILED: %d of %d devices received %s LIVE within %s%n", live, devices, EVENT_ID, timeout);
                out.flush();
                return 1;
            }
        }
    }

    private static void call(HttpClient http, String token, URI uri, String json, int expected) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new IllegalStateException("POST " + uri + " answered " + response.statusCode() + ": " + response.body());
        }
    }
}
