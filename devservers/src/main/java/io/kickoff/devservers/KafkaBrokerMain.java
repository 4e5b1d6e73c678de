package io.kickoff.devservers;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Entry point of the child JVM that {@link KafkaServer} runs: formats the storage on first start, then runs
 * {@code kafka.Kafka} in KRaft combined mode. A separate JVM, so that a kill is a real SIGKILL and a start a real cold
 * start from disk.
 *
 * <p>Arguments: {@code <server.properties> <cluster id>}.
 */
final class KafkaBrokerMain {

    private KafkaBrokerMain() {
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: KafkaBrokerMain <server.properties> <cluster id>");
            System.exit(2);
        }
        String properties = args[0];
        String clusterId = args[1];

        if (!isFormatted(properties)) {
            format(properties, clusterId);
        }
        kafka.Kafka.main(new String[] {properties});
    }

    private static void format(String properties, String clusterId) {
        int status;
        try {
            status = kafka.tools.StorageTool.execute(
                    new String[] {"format", "--cluster-id", clusterId, "--config", properties, "--ignore-formatted"},
                    System.out);
        } catch (Throwable e) {
            System.err.println("Formatting the Kafka storage failed: " + e);
            e.printStackTrace();
            status = 1;
        }
        if (status != 0) {
            System.exit(3);
        }
    }

    /** Whether every log directory already has its meta.properties, so that restarts skip the storage tool. */
    private static boolean isFormatted(String propertiesFile) {
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of(propertiesFile))) {
            props.load(in);
        } catch (IOException e) {
            return false;
        }
        String dirs = props.getProperty("log.dirs", props.getProperty("log.dir"));
        if (dirs == null) {
            return false;
        }
        for (String dir : dirs.split(",")) {
            if (!Files.isRegularFile(Path.of(dir.trim(), "meta.properties"))) {
                return false;
            }
        }
        return true;
    }
}
