package io.kickoff.testkit;

import java.io.IOException;
import java.io.InputStream;

/**
 * Entry point of the child JVM that {@link TestKafka} runs: formats the storage on first start, then runs
 * {@code kafka.Kafka} in KRaft combined mode. Exits when its stdin reaches EOF, which happens when the JVM that started
 * it dies, so a crashed or killed test run leaves no broker behind.
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
        watchParent();

        int formatted;
        try {
            formatted = kafka.tools.StorageTool.execute(
                    new String[] {"format", "--cluster-id", clusterId, "--config", properties, "--ignore-formatted"},
                    System.out);
        } catch (Throwable e) {
            System.err.println("Formatting the Kafka storage failed: " + e);
            e.printStackTrace();
            formatted = 1;
        }
        if (formatted != 0) {
            System.exit(3);
        }
        kafka.Kafka.main(new String[] {properties});
    }

    private static void watchParent() {
        Thread watcher = new Thread(() -> {
            try {
                InputStream in = System.in;
                while (in.read() != -1) {
                    // nothing is ever sent; we only wait for EOF
                }
            } catch (IOException ignored) {
                // a broken pipe means the parent is gone too
            }
            System.err.println("stdin closed (the parent JVM is gone or is stopping this broker); shutting down");
            System.exit(0);
        }, "testkit-parent-watcher");
        watcher.setDaemon(true);
        watcher.start();
    }
}
