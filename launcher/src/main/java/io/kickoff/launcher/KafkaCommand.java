package io.kickoff.launcher;

import io.kickoff.testkit.TestKafka;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** A development Kafka broker in the foreground, for multi-process runs and benchmarks. */
@Command(name = "kafka", mixinStandardHelpOptions = true,
        description = {"Run a single-node Kafka broker (KRaft; a child JVM) for development and benchmarks, until stopped.",
                "It listens on a free port of 127.0.0.1, printed once it is ready (and written to --bootstrap-file); "
                        + "its data lives in a temporary directory deleted on exit. Not for production."})
final class KafkaCommand implements Callable<Integer> {

    @Option(names = "--bootstrap-file", paramLabel = "FILE",
            description = "Also write the bootstrap servers (HOST:PORT) to this file once the broker is ready, for scripts.")
    Path bootstrapFile;

    @Spec
    CommandSpec spec;

    final UntilStopped stop = new UntilStopped(60_000);

    @Override
    public Integer call() throws Exception {
        stop.install();
        Infrastructure.absoluteClassPath();
        try (TestKafka kafka = new TestKafka()) {
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
            out.flush();
            stop.await();
        } finally {
            stop.finished();
        }
        return 0;
    }
}
