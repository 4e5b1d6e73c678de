package io.kickoff.launcher;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * Looks for a broker at the bootstrap addresses before any Kafka client is made: a client pointed at nothing retries
 * for minutes and logs a warning for every attempt, while a person wants one line saying what is missing.
 */
final class KafkaReachability {
    static final Duration DEFAULT_WAIT = Duration.ofSeconds(10);
    private static final int CONNECT_TIMEOUT_MILLIS = 1_000;
    private static final long RETRY_PAUSE_MILLIS = 250;

    private KafkaReachability() {
    }

    /**
     * Returns once one of the bootstrap servers accepts a TCP connection; throws {@link IllegalStateException} (the CLI's
     * exit 1, "something it depends on is not there") if none does within {@code wait}.
     */
    static void require(String bootstrapServers, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        do {
            for (String server : bootstrapServers.split(",")) {
                if (accepts(server.trim())) {
                    return;
                }
            }
            try {
                Thread.sleep(RETRY_PAUSE_MILLIS); // a broker that is still starting gets a few more tries
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        } while (System.nanoTime() < deadline);
        throw new IllegalStateException("no Kafka broker answers at " + bootstrapServers + " (--kafka) within "
                + wait.toSeconds() + " s; start one with `./kickoff kafka` and pass the address it prints, "
                + "or run `./kickoff serve --mode embedded`");
    }

    private static boolean accepts(String server) {
        int colon = server.lastIndexOf(':');
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(server.substring(0, colon), Integer.parseInt(server.substring(colon + 1))),
                    CONNECT_TIMEOUT_MILLIS);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
