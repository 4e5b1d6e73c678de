package io.kickoff.launcher;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** {@code --kafka} of a service run alone on a Kafka bus ({@code gateway}, {@code lsm}, {@code prefetch}). */
final class KafkaBusOption {
    @Option(names = "--kafka", required = true, paramLabel = "HOST:PORT[,HOST:PORT...]",
            description = "Kafka bootstrap servers of the bus (required).")
    String bootstrapServers;

    @Option(names = "--kafka-property", split = ",", paramLabel = "KEY=VALUE",
            description = "A Kafka client setting for every producer, consumer and admin client of the bus, e.g. "
                    + "security.protocol=SASL_SSL, sasl.mechanism=SCRAM-SHA-512, ssl.truststore.location=/etc/kafka/ca.p12; "
                    + "repeatable; over --kafka-config.")
    Map<String, String> properties = new LinkedHashMap<>();

    @Option(names = "--kafka-config", paramLabel = "FILE",
            description = "Kafka client settings in a Java properties file (the client.properties of Kafka's own tools), "
                    + "e.g. for TLS and SASL.")
    Path propertiesFile;

    /** The Kafka client settings given, the file's first, then each --kafka-property. */
    Map<String, Object> clientConfig() {
        Map<String, Object> settings = new LinkedHashMap<>();
        if (propertiesFile != null) {
            Properties file = new Properties();
            try (Reader in = Files.newBufferedReader(propertiesFile)) {
                file.load(in);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read --kafka-config " + propertiesFile + ": " + e.getMessage());
            }
            file.stringPropertyNames().forEach(key -> settings.put(key, file.getProperty(key)));
        }
        settings.putAll(properties);
        return settings;
    }

    /** The bootstrap servers, checked: a usage error (exit 2) naming the bad one otherwise. */
    String validated(CommandSpec spec) {
        KafkaAddress.validate(spec, bootstrapServers);
        return bootstrapServers;
    }
}
