package io.kickoff.testkit;

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
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One server process owned by the test kit: started with its output appended to a log file, stopped with SIGTERM or
 * SIGKILL. Also killed by a JVM shutdown hook, so a test run that forgets to close it leaves no orphan behind.
 */
final class ChildProcess {

    private static final int TAIL_BYTES = 8 * 1024;

    private final String name;
    private final List<String> command;
    private final Path workDir;
    private final Path logFile;
    private final boolean pipeStdin;
    private Process process;
    private Thread shutdownHook;

    /**
     * @param pipeStdin keep the child's stdin as a pipe from this JVM, so a child that watches for EOF can exit when
     *                  this JVM dies; otherwise stdin is /dev/null
     */
    ChildProcess(String name, List<String> command, Path workDir, Path logFile, boolean pipeStdin) {
        this.name = name;
        this.command = List.copyOf(command);
        this.workDir = workDir;
        this.logFile = logFile;
        this.pipeStdin = pipeStdin;
    }

    synchronized void start() {
        if (isAlive()) {
            return;
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        if (!pipeStdin) {
            builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        }
        try {
            appendToLog("---- starting " + name + ": " + String.join(" ", command) + System.lineSeparator());
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("Could not start " + name + " (" + command.get(0) + "): " + e, e);
        }
        Process started = process;
        shutdownHook = new Thread(() -> destroyTree(started, true), "testkit-kill-" + name);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
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

    /** A port that was free a moment ago on 127.0.0.1. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port on 127.0.0.1", e);
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
