package io.kickoff.launcher;

import io.kickoff.gateway.GatewayConfig;
import io.kickoff.http.TlsFiles;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Runs the platform on one node until stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true, defaultValueProvider = GatewaySettings.Defaults.class,
        description = {"Run the Live State Manager, a broadcast gateway and a prefetch node in one process until stopped "
                + "(Ctrl-C or SIGTERM). Without --catalog-dir the prefetch node serves the example catalog.",
                "With --mode embedded it also starts a Kafka broker and a Redis server; with --mode external it uses --kafka.",
                "On Kafka (embedded or external) it also runs an audience instance (Kafka Streams): the live audience of "
                        + "every event from the devices' viewing signals, on kickoff.audience. The audience needs Kafka: "
                        + "--mode memory has none.",
                "With --tls-cert and --tls-key all three listeners speak TLS: wss:// for devices, https:// for the APIs."})
final class ServeCommand implements Callable<Integer> {

    @Mixin
    PlatformOptionsMixin options;

    @Mixin
    GatewaySettings gatewaySettings;

    @Mixin
    TlsOptions tlsOptions;

    @Spec
    CommandSpec spec;

    final UntilStopped stop = new UntilStopped(60_000);

    @Override
    public Integer call() throws Exception {
        options.options.validate(spec);
        // Built once before anything starts: settings that do not fit together are a usage error naming them.
        gatewaySettings.applyTo(GatewayConfig.builder()).build();
        Optional<TlsFiles> tls = tlsOptions.files(spec);
        stop.install();
        try (Platform platform = Platform.start(options.options, GatewayConfig.WarmUp.DEFAULT, gatewaySettings::applyTo, tls)) {
            PrintWriter out = spec.commandLine().getOut();
            Banner.print(out, options.options, platform);
            out.println("Running. Stop with Ctrl-C (devices are sent away first).");
            out.flush();
            stop.await();
            // Devices get go-away with spread reconnect delays rather than a dropped socket.
            try {
                platform.gateway().drain().get(platform.gateway().config().drainWindow().toMillis() + 5_000,
                        java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                // closing anyway
            }
        } finally {
            stop.finished();
        }
        return 0;
    }
}
