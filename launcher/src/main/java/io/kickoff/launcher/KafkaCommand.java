package io.kickoff.launcher;

import io.kickoff.devservers.KafkaServer;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** A development Kafka broker in the foreground, for multi-process runs and benchmarks. */
@Command(name = "kafka", mixinStandardHelpOptions = true,
        description = {"Run a single-node Kafka broker (KRaft; a child JVM) for development and benchmarks, until stopped.",
                "It listens on 127.0.0.1, on --port or a free port, printed once it is ready (and written to "
                        + "--bootstrap-file). Its data lives in --data-dir, kept on exit so that the same broker can be "
                        + "started again with every record (for fault drills), or else in a temporary directory deleted "
                        + "on exit. Not for production."})
final class KafkaCommand implements Callable<Integer> {

    @Option(names = "--bootstrap-file", paramLabel = "FILE",
            description = "Also write the bootstrap servers (HOST:PORT) to this file once the broker is ready, for scripts.")
    Path bootstrapFile;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "0",
            description = "Client port on 127.0.0.1; 0 for a free one, or the one the broker had in --data-dir "
                    + "(default: ${DEFAULT-VALUE}). Keep it below the ephemeral range (32768 on Linux).")
    int port;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Keep the broker's data (and ports) here across runs; created if missing "
                    + "(default: a temporary directory deleted on exit).")
    Path dataDir;

    @Spec
    CommandSpec spec;

    final UntilStopped stop = new UntilStopped(60_000);

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65_535) {
            throw new ParameterException(spec.commandLine(), "--port wants 0..65535, got " + port);
        }
        if (dataDir != null && Files.exists(dataDir) && !Files.isDirectory(dataDir)) {
            throw new ParameterException(spec.commandLine(), "--data-dir " + dataDir + " is not a directory");
        }
        if (port != 0) {
            ListenPorts.requireFree("127.0.0.1", port, "--port");
        }
        stop.install();
        Infrastructure.absoluteClassPath();
        try (KafkaServer kafka = KafkaServer.builder().port(port).dataDir(dataDir)
                .orderlyStopGrace(Infrastructure.ORDERLY_STOP_GRACE).build()) {
            kafka.start();
            String bootstrap = kafka.bootstrapServers();
            if (bootstrapFile != null) {
                Path tmp = bootstrapFile.resolveSibling(bootstrapFile.getFileName() + ".tmp");
                Files.writeString(tmp, bootstrap + System.lineSeparator(), StandardCharsets.UTF_8);
                Files.move(tmp, bootstrapFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf("Kafka broker ready: %s (pid %d). Use it with --kafka %s. Stop with Ctrl-C.%n", bootstrap,
                    ProcessHandle.current().pid(), bootstrap);
            out.printf("  data: %s%n", dataDir == null ? "a temporary directory, deleted on exit"
                    : dataDir.toAbsolutePath() + " (kept; start again with --data-dir " + dataDir + ")");
            out.flush();
            stop.await();
        } finally {
            stop.finished();
        }
        return 0;
    }
}
