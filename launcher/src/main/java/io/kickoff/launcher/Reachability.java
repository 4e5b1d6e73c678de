package io.kickoff.launcher;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * Looks for a Kafka broker or a Redis server before any client is made: a Kafka client pointed at nothing retries for
 * minutes and logs a warning for every attempt, a Redis client fails with a stack trace, while a person wants one line
 * saying what is missing (the CLI's exit 1, "something it depends on is not there").
 */
final class Reachability {
    static final Duration DEFAULT_WAIT = Duration.ofSeconds(10);
    private static final int CONNECT_TIMEOUT_MILLIS = 1_000;
    private static final long RETRY_PAUSE_MILLIS = 250;

    private Reachability() {
    }

    /** Returns once one of the bootstrap servers accepts a TCP connection, else {@link IllegalStateException}. */
    static void requireKafka(String bootstrapServers, Duration wait) {
        List<String> servers = Stream.of(bootstrapServers.split(",")).map(String::trim).toList();
        if (!anyAccepts(servers, wait)) {
            throw new IllegalStateException("no Kafka broker answers at " + bootstrapServers + " (--kafka) within "
                    + wait.toSeconds() + " s; start one with `./kickoff kafka` and pass the address it prints, "
                    + "or run `./kickoff serve --mode embedded`");
        }
    }

    /** Returns once the Redis server of {@code redisUri} (6379 unless it names a port) accepts a TCP connection. */
    static void requireRedis(String redisUri, Duration wait) {
        URI uri = URI.create(redisUri.trim());
        String server = uri.getHost() + ":" + (uri.getPort() == -1 ? 6379 : uri.getPort());
        if (!anyAccepts(List.of(server), wait)) {
            throw new IllegalStateException("no Redis server answers at " + redisUri + " (--redis) within "
                    + wait.toSeconds() + " s; start one (e.g. `redis-server --port " + server.substring(server.lastIndexOf(':') + 1)
                    + "`), or leave out --redis to keep state in memory");
        }
    }

    private static boolean anyAccepts(List<String> servers, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        do {
            for (String server : servers) {
                if (accepts(server)) {
                    return true;
                }
            }
            try {
                Thread.sleep(RETRY_PAUSE_MILLIS); // a server that is still starting gets a few more tries
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        } while (System.nanoTime() < deadline);
        return false;
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
