package io.kickoff.devservers;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.LocalTime;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One server process owned by the test kit: started with its output appended to a log file, stopped with SIGTERM or
 * SIGKILL. Also killed by a JVM shutdown hook and, should this JVM die without running hooks, by a watchdog process, so
 * a test run that forgets to close it or crashes leaves no orphan server behind.
 */
final class ChildProcess {

    private static final int TAIL_BYTES = 8 * 1024;

    private final String name;
    private final List<String> command;
    private final Path workDir;
    private final Path logFile;
    private final Duration orderlyStopGrace;
    private final boolean keepWorkDir;
    private CountDownLatch stoppedByOwner = new CountDownLatch(0);
    private Process process;
    private Process watchdog;
    private Thread shutdownHook;

    ChildProcess(String name, List<String> command, Path workDir, Path logFile) {
        this(name, command, workDir, logFile, Duration.ZERO, false);
    }

    /**
     * @param orderlyStopGrace how long the JVM's shutdown hook leaves the owner to stop the process in order (its
     *                         clients first) before it kills it; zero kills at once. Shutdown hooks run concurrently,
     *                         so without a grace a SIGTERM to this JVM would kill the server under its clients.
     * @param keepWorkDir      whether the directory holds data meant to outlive this JVM (the watchdog then leaves it)
     */
    ChildProcess(String name, List<String> command, Path workDir, Path logFile, Duration orderlyStopGrace,
                 boolean keepWorkDir) {
        this.name = name;
        this.command = List.copyOf(command);
        this.workDir = workDir;
        this.logFile = logFile;
        this.orderlyStopGrace = orderlyStopGrace;
        this.keepWorkDir = keepWorkDir;
    }

    synchronized void start() {
        if (isAlive()) {
            return;
        }
        if (process != null) {
            released(); // it died on its own: drop its hook and watchdog before starting a new one
        }
        ProcessBuilder builder = new ProcessBuilder(inOwnSession(command))
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        try {
            appendToLog("---- " + LocalTime.now() + " starting " + name + ": " + String.join(" ", command)
                    + System.lineSeparator());
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("Could not start " + name + " (" + command.get(0) + "): " + e, e);
        }
        Process started = process;
        CountDownLatch ownerStop = new CountDownLatch(1);
        stoppedByOwner = ownerStop;
        shutdownHook = new Thread(() -> {
            awaitOrderlyStop(ownerStop);
            destroyTree(started, true);
        }, "devservers-kill-" + name);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        watchdog = startWatchdog(started.pid());
    }

    /**
     * A shell that waits for EOF on a pipe from this JVM, then SIGKILLs the server and deletes its directory. The pipe
     * closes only when this JVM exits, however it exits, SIGKILL included, which no shutdown hook survives; the watchdog
     * itself is SIGKILLed (and so does nothing) whenever the server is stopped on purpose.
     */
    private Process startWatchdog(long pid) {
        try {
            return new ProcessBuilder("/bin/sh", "-c",
                    "while read -r _; do :; done; kill -9 \"$0\" 2>/dev/null; [ -z \"$1\" ] || rm -rf -- \"$1\"",
                    Long.toString(pid), keepWorkDir ? "" : workDir.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            appendToLog("---- no watchdog for " + name + " (" + e + "); it will outlive a crashed JVM"
                    + System.lineSeparator());
            return null;
        }
    }

    private void awaitOrderlyStop(CountDownLatch ownerStop) {
        if (orderlyStopGrace.isZero()) {
            return;
        }
        try {
            ownerStop.await(orderlyStopGrace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The command run by {@code setsid} where there is one: a Ctrl-C in a terminal signals the whole foreground
     * process group, and the server must outlive its clients' orderly stop rather than die with them.
     */
    private static List<String> inOwnSession(List<String> command) {
        Path setsid = Path.of("/usr/bin/setsid");
        if (!Files.isExecutable(setsid)) {
            return command;
        }
        List<String> wrapped = new java.util.ArrayList<>(command.size() + 1);
        wrapped.add(setsid.toString());
        wrapped.addAll(command);
        return wrapped;
    }

    synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    /** SIGTERM, wait up to {@code timeout} for a clean exit, then SIGKILL. */
    synchronized void stop(Duration timeout) {
        if (process == null) {
            return;
        }
        destroyTree(process, false);
        if (!waitFor(process, timeout)) {
            appendToLog("---- " + name + " did not exit within " + timeout + " after SIGTERM; sending SIGKILL"
                    + System.lineSeparator());
            destroyTree(process, true);
            waitFor(process, Duration.ofSeconds(30));
        }
        released();
    }

    /** SIGKILL and wait for the exit. */
    synchronized void kill() {
        if (process == null) {
            return;
        }
        destroyTree(process, true);
        waitFor(process, Duration.ofSeconds(30));
        released();
    }

    /** Text for an error message: exit status and the last lines of the process's output. */
    synchronized String describe() {
        String status;
        if (process == null) {
            status = "not started";
        } else if (process.isAlive()) {
            status = "running, pid " + process.pid();
        } else {
            status = "exited with code " + process.exitValue();
        }
        return name + " (" + status + "); last output from " + logFile + ":" + System.lineSeparator() + tail(logFile);
    }

    private void released() {
        stoppedByOwner.countDown();
        if (watchdog != null) {
            watchdog.destroyForcibly();
            watchdog = null;
        }
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to; nothing to remove
            }
            shutdownHook = null;
        }
        process = null;
    }

    private void appendToLog(String line) {
        try {
            Files.writeString(logFile, line, StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // the log is a diagnostic aid only
        }
    }

    private static void destroyTree(Process process, boolean forcibly) {
        process.descendants().forEach(forcibly ? ProcessHandle::destroyForcibly : ProcessHandle::destroy);
        if (forcibly) {
            process.destroyForcibly();
        } else {
            process.destroy();
        }
    }

    private static boolean waitFor(Process process, Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    // ------------------------------------------------------------------ shared helpers

    /** Ports handed out by this JVM, never handed out twice: a server may not have bound its port yet. */
    private static final Set<Integer> handedOut = ConcurrentHashMap.newKeySet();

    /**
     * A port that was free a moment ago on 127.0.0.1, below the kernel's ephemeral range when possible. A server that
     * is stopped keeps its port for its restart, so the port must not be one the kernel may give to an outgoing
     * connection meanwhile: a client reconnecting to 127.0.0.1:P can even be handed P itself and connect to itself.
     */
    static int freePort() {
        int ephemeralLow = ephemeralRangeLow();
        int low = 10_000;
        if (ephemeralLow - low >= 1_000) {
            for (int attempt = 0; attempt < 200; attempt++) {
                int candidate = ThreadLocalRandom.current().nextInt(low, ephemeralLow);
                if (!handedOut.contains(candidate) && bindable(candidate) && handedOut.add(candidate)) {
                    return candidate;
                }
            }
        }
        for (int attempt = 0; attempt < 20; attempt++) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress("127.0.0.1", 0));
                if (handedOut.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("No free port on 127.0.0.1", e);
            }
        }
        throw new IllegalStateException("No free port on 127.0.0.1");
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The low end of Linux's ephemeral port range, or 0 where it cannot be read. */
    private static int ephemeralRangeLow() {
        try {
            // not Files.readString: it trusts the file size, which procfs reports as 0, and returns garbage
            String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Whether something accepts TCP connections on host:port right now. */
    static boolean accepts(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Polls briefly; used while waiting for a server to come up, where there is nothing to block on. */
    static void pause(Duration duration) {
        try {
            TimeUnit.MILLISECONDS.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for a test server", e);
        }
    }

    static String tail(Path file) {
        if (!Files.exists(file)) {
            return "(no output)";
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long length = raf.length();
            long from = Math.max(0, length - TAIL_BYTES);
            byte[] bytes = new byte[(int) (length - from)];
            raf.seek(from);
            raf.readFully(bytes);
            String text = new String(bytes, StandardCharsets.UTF_8);
            return from > 0 ? "..." + text : text;
        } catch (IOException e) {
            return "(could not read " + file + ": " + e + ")";
        }
    }

    static void deleteRecursively(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                    if (exc instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw exc;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("Could not delete " + root, e);
        }
    }
}
