package io.kickoff.devservers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Redis server on a free port of 127.0.0.1, for development (embedded mode) and for tests, which can stop, kill
 * and restart it.
 *
 * <p>Data is kept in an append-only file fsynced on every write, in a directory that lives as long as this object, so
 * whatever was acknowledged before a {@link #kill()} is still there after {@link #start()}; the port never changes, so
 * clients only have to reconnect.
 *
 * <p>The server is, in order of preference: the one named by the {@code REDIS_URL} environment variable (which cannot
 * be stopped from here), a {@code redis-server} on the {@code PATH}, or the Linux binary shipped in
 * {@code com.github.codemonstur:embedded-redis}.
 *
 * <p>Start it with {@link #start()} and stop it with {@link #close()}; tests use it through testkit's {@code TestRedis}
 * extension.
 */
public final class RedisServer implements DevServer {

    private static final Logger log = LoggerFactory.getLogger(RedisServer.class);
    private static final String HOST = "127.0.0.1";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final String externalUrl;
    private final Duration orderlyStopGrace;
    private Path workDir;
    private int port;
    private ChildProcess process;

    public RedisServer() {
        this(System.getenv("REDIS_URL"));
    }

    /** For tests of this class: {@code externalUrl} stands in for the {@code REDIS_URL} environment variable. */
    RedisServer(String externalUrl) {
        this(externalUrl, Duration.ZERO);
    }

    private RedisServer(String externalUrl, Duration orderlyStopGrace) {
        this.externalUrl = externalUrl == null || externalUrl.isBlank() ? null : externalUrl.trim();
        this.orderlyStopGrace = orderlyStopGrace;
    }

    /**
     * A server that, when this JVM is stopped by a signal, is left running for up to {@code grace} so that its owner
     * can stop its clients first and then {@link #close()} it (a plain {@code new RedisServer()} is killed at once).
     */
    public static RedisServer withOrderlyStopGrace(Duration grace) {
        return new RedisServer(System.getenv("REDIS_URL"), grace);
    }

    /**
     * Starts the server, or starts it again after {@link #stop()} or {@link #kill()} on the same port with the same
     * data. Does nothing if it is already running. Returns once it answers {@code PING}.
     */
    public synchronized void start() {
        if (externalUrl != null) {
            return;
        }
        if (process == null) {
            workDir = createWorkDir();
            port = ChildProcess.freePort();
            process = new ChildProcess("redis-server", command(findBinary(workDir)), workDir,
                    workDir.resolve("redis.log"), orderlyStopGrace, false);
        }
        if (process.isAlive()) {
            return;
        }
        long begin = System.nanoTime();
        process.start();
        awaitPong();
        log.info("Redis up on {} in {} ms (pid {})", uri(), (System.nanoTime() - begin) / 1_000_000, process.pid());
    }

    /** Shuts the server down cleanly (SIGTERM: Redis fsyncs the append-only file), keeping its port and data. */
    public synchronized void stop() {
        requireManaged("stop");
        if (process != null) {
            process.stop(STOP_TIMEOUT);
        }
    }

    /** Kills the server with SIGKILL, as a crash would, keeping its port and data. */
    public synchronized void kill() {
        requireManaged("kill");
        if (process != null) {
            process.kill();
        }
    }

    /** {@link #stop()} then {@link #start()}: same port, same data. */
    public synchronized void restart() {
        requireManaged("restart");
        stop();
        start();
    }

    /** Whether the server process is alive; always true for an external server. */
    public synchronized boolean isRunning() {
        return externalUrl != null || (process != null && process.isAlive());
    }

    /** {@code redis://127.0.0.1:PORT}, or the {@code REDIS_URL} as given. */
    public synchronized String uri() {
        return externalUrl != null ? externalUrl : "redis://" + HOST + ":" + requirePort();
    }

    public synchronized String host() {
        return externalUrl != null ? externalUri().getHost() : HOST;
    }

    public synchronized int port() {
        if (externalUrl != null) {
            int p = externalUri().getPort();
            return p == -1 ? 6379 : p;
        }
        return requirePort();
    }

    /** Stops the server (if this kit started it) and deletes its data directory. */
    @Override
    public synchronized void close() {
        if (process != null) {
            process.stop(STOP_TIMEOUT);
            process = null;
        }
        ChildProcess.deleteRecursively(workDir);
        workDir = null;
        port = 0;
    }

    @Override
    public String toString() {
        return "RedisServer[" + (externalUrl != null ? externalUrl : port == 0 ? "not started" : uri()) + "]";
    }

    // ------------------------------------------------------------------ internals

    private List<String> command(Path binary) {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.toString());
        cmd.addAll(List.of(
                "--bind", HOST,
                "--port", Integer.toString(port),
                "--save", "",
                "--appendonly", "yes",
                "--appendfsync", "always",
                "--dir", workDir.toString(),
                "--protected-mode", "no",
                "--daemonize", "no"));
        return cmd;
    }

    private void awaitPong() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String lastProblem = "no answer yet";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Redis exited during startup: " + process.describe());
            }
            try {
                String reply = ping(HOST, port);
                if ("+PONG".equals(reply)) {
                    return;
                }
                lastProblem = "PING answered " + reply;
            } catch (IOException e) {
                lastProblem = e.toString();
            }
            ChildProcess.pause(Duration.ofMillis(20));
        }
        String description = process.describe();
        process.kill();
        throw new IllegalStateException("Redis did not answer PING within " + START_TIMEOUT + " on port " + port
                + " (" + lastProblem + "): " + description);
    }

    /** Sends an inline {@code PING} and returns the first line of the reply. */
    private static String ping(String host, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 500);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) != -1 && c != '\r' && c != '\n') {
                line.append((char) c);
            }
            return line.toString();
        }
    }

    private static Path createWorkDir() {
        try {
            return Files.createTempDirectory("kickoff-redis-");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create a temp directory for Redis", e);
        }
    }

    /** {@code redis-server} from the PATH, else the embedded-redis binary for this CPU copied into {@code dir}. */
    private static Path findBinary(Path dir) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String entry : path.split(java.io.File.pathSeparator)) {
                if (entry.isEmpty()) {
                    continue;
                }
                Path candidate = Path.of(entry, "redis-server");
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        String resource = embeddedResource();
        Path target = dir.resolve("redis-server");
        try (InputStream in = RedisServer.class.getResourceAsStream("/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("No redis-server on the PATH and no resource " + resource
                        + " on the classpath (is com.github.codemonstur:embedded-redis there?)");
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not extract " + resource + " to " + target, e);
        }
        if (!target.toFile().setExecutable(true, true)) {
            throw new IllegalStateException("Could not make " + target + " executable");
        }
        return target;
    }

    private static String embeddedResource() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux")) {
            throw new IllegalStateException("No redis-server on the PATH; the embedded binary is only used on Linux"
                    + " (os.name=" + os + "). Install Redis or set REDIS_URL.");
        }
        switch (arch) {
            case "amd64":
            case "x86_64":
                return "redis-server-6.2.6-v5-linux-amd64";
            case "aarch64":
            case "arm64":
                return "redis-server-6.2.7-linux-arm64";
            default:
                throw new IllegalStateException("No redis-server on the PATH and no embedded binary for os.arch="
                        + arch + ". Install Redis or set REDIS_URL.");
        }
    }

    private void requireManaged(String operation) {
        if (externalUrl != null) {
            throw new UnsupportedOperationException("Cannot " + operation + " Redis: it is the external server "
                    + "given by REDIS_URL=" + externalUrl + "; unset REDIS_URL to run fault tests on a local server");
        }
    }

    private int requirePort() {
        if (port == 0) {
            throw new IllegalStateException("RedisServer is not started");
        }
        return port;
    }

    private URI externalUri() {
        return URI.create(Objects.requireNonNull(externalUrl));
    }
}
