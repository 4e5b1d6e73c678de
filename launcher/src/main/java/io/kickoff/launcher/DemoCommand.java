package io.kickoff.launcher;

import io.kickoff.gateway.GatewayConfig;

import io.kickoff.lsm.client.AdminClient;
import io.kickoff.lsm.client.NewEventRequest;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.simulator.DeviceFleet;
import io.kickoff.simulator.FleetConfig;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The platform end to end in one process, in the two phases of the design: start it, connect
 * simulated devices, create the example catalog's live event, move it to PREFETCH through the admin
 * API (the prefetch node materializes the segment's bundle and the gateway delivers it to every
 * device), then set it LIVE and report who received the update, holding the bundle to render.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, defaultValueProvider = GatewaySettings.Defaults.class,
        description = {"Start the platform, connect simulated devices, move the example catalog's event to PREFETCH "
                + "(every device gets its bundle), set it LIVE through the admin API and print who received it. "
                + "Exits 0 if every device held the bundle and received the LIVE stage, 1 otherwise.",
                "--mode embedded runs it on a real Kafka broker (and starts a Redis server) that it stops on exit."})
final class DemoCommand implements Callable<Integer> {
    /** The live event of the example catalog (prefetch-service/catalog-example.json). */
    static final String EVENT_ID = "ev-ufc-309";
    /** PREFETCH is seq 1, LIVE seq 2. */
    static final long LIVE_SEQ = 2;

    @Mixin
    PlatformOptionsMixin options;

    @Option(names = "--devices", defaultValue = "200", description = "Simulated devices to connect (default: ${DEFAULT-VALUE}).")
    int devices;

    @Option(names = "--segment", defaultValue = "us-en-adult",
            description = "Audience segment of the devices, one of the catalog's (default: ${DEFAULT-VALUE}).")
    String segment;

    @Option(names = "--timeout", defaultValue = "30s", description = "How long to wait for every device (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Mixin
    GatewaySettings gatewaySettings;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (devices < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--devices must be at least 1");
        }
        options.options.validate(spec);
        gatewaySettings.applyTo(GatewayConfig.builder()).build();
        PrintWriter out = spec.commandLine().getOut();
        // A demo's first broadcast goes to a couple of hundred devices: it has nothing to gain from
        // the gateway's warm-up (10-25 s), which serve and gateway run before they say they are ready.
        try (Platform platform = Platform.start(options.options, GatewayConfig.WarmUp.OFF, gatewaySettings::applyTo)) {
            Banner.print(out, options.options, platform);
            String host = options.options.host;
            URI gateway = URI.create("ws://" + host + ":" + platform.gateway().port() + "/v1/connect");
            URI admin = URI.create("http://" + host + ":" + platform.lsm().adminPort());
            try (DeviceFleet fleet = DeviceFleet.open(FleetConfig.builder()
                    .gateway(gateway)
                    .devices(devices)
                    .signedDevices("demo-device-", segment, platform.tokens(), Duration.ofHours(1))
                    .bundleApi(URI.create("http://" + host + ":" + platform.prefetch().port()))
                    .build())) {
                fleet.connectAll().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                out.printf("%d simulated devices connected to %s%n", fleet.welcomedCount(), gateway);

                AdminClient adminApi = new AdminClient(admin, options.options.adminToken);
                adminApi.createEvent(NewEventRequest.of(EVENT_ID, "UFC 309", Instant.now().plus(Duration.ofHours(2)))
                        .withSegments(List.of(segment)));
                out.printf("created event %s; moving it to PREFETCH through the admin API%n", EVENT_ID);
                adminApi.transition(EVENT_ID, Stage.PREFETCH);
                awaitAtMost(fleet.whenHoldingBundle(EVENT_ID, devices));
                long withBundle = fleet.holdingBundle(EVENT_ID);
                if (withBundle < devices) {
                    out.printf("FAILED: %d of %d devices got the %s bundle within %s (is %s in the catalog's segments, "
                            + "and %s among its live events?)%n", withBundle, devices, EVENT_ID, timeout, segment, EVENT_ID);
                    out.flush();
                    return 1;
                }
                out.printf("all %d devices hold the %s bundle for segment %s; setting it LIVE%n", devices, EVENT_ID, segment);
                adminApi.transition(EVENT_ID, Stage.LIVE);

                awaitAtMost(fleet.whenReached(EVENT_ID, LIVE_SEQ, devices));
                long live = fleet.countAt(EVENT_ID, Stage.LIVE, LIVE_SEQ);
                out.println(fleet.report(EVENT_ID, LIVE_SEQ));
                // The update names the segment's bundle version: a device holding it renders with no request.
                long inHand = fleet.countDevices(d -> d.applied(EVENT_ID, LIVE_SEQ)
                        .map(u -> u.bundleHeld()).orElse(false));
                if (live == devices && inHand == devices) {
                    out.printf("OK: all %d devices received %s LIVE (seq %d), its bundle already in hand%n",
                            devices, EVENT_ID, LIVE_SEQ);
                    out.flush();
                    return 0;
                }
                if (live == devices) {
                    out.printf("FAILED: %d of %d devices held the bundle version %s LIVE named (%d critical fetches)%n",
                            inHand, devices, EVENT_ID, fleet.criticalBundleFetches());
                    out.flush();
                    return 1;
                }
                out.printf("FAILED: %d of %d devices received %s LIVE within %s%n", live, devices, EVENT_ID, timeout);
                out.flush();
                return 1;
            }
        }
    }

    /** Waits for the future until --timeout passes; the caller counts what happened either way. */
    private void awaitAtMost(CompletableFuture<Void> future) throws InterruptedException {
        try {
            future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            future.cancel(false);
        }
    }
}
