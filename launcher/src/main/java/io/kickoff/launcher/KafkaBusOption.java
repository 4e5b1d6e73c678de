package io.kickoff.launcher;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** {@code --kafka} of a service run alone on a Kafka bus ({@code gateway}, {@code lsm}, {@code prefetch}). */
final class KafkaBusOption {
    @Option(names = "--kafka", required = true, paramLabel = "HOST:PORT[,HOST:PORT...]",
            description = "Kafka bootstrap servers of the bus (required).")
    String bootstrapServers;

    /** The bootstrap servers, checked: a usage error (exit 2) naming the bad one otherwise. */
    String validated(CommandSpec spec) {
        KafkaAddress.validate(spec, bootstrapServers);
        return bootstrapServers;
    }
}
