package io.kickoff.testkit;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus's own checker, {@code promtool}, when it is on the PATH ({@code .ci/run} installs Debian's
 * {@code prometheus} package for it). Where it is absent, {@link #find()} is empty and the caller says so and skips
 * that part of its check.
 */
public final class PromTool {
    /** What promtool said: its exit code and its output (stdout and stderr). */
    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    private final Path executable;

    private PromTool(Path executable) {
        this.executable = executable;
    }

    /** promtool from the PATH, or empty (with a line on stderr saying the check is skipped). */
    public static Optional<PromTool> find() {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                Path candidate = Path.of(dir, "promtool");
                if (Files.isExecutable(candidate)) {
                    return Optional.of(new PromTool(candidate));
                }
            }
        }
        System.err.println("promtool is not on the PATH: the promtool part of this check is SKIPPED"
                + " (install Debian's prometheus package, as .ci/run does)");
        return Optional.empty();
    }

    /** {@code promtool check metrics} on an exposition (fed on stdin). */
    public Result checkMetrics(String exposition) throws IOException, InterruptedException {
        return run(exposition, "check", "metrics");
    }

    /** {@code promtool check rules FILE...}. */
    public Result checkRules(Path... files) throws IOException, InterruptedException {
        return run(null, args("check", "rules", files));
    }

    /** {@code promtool test rules FILE...} (rule unit tests). */
    public Result testRules(Path... files) throws IOException, InterruptedException {
        return run(null, args("test", "rules", files));
    }

    private static String[] args(String verb, String what, Path... files) {
        List<String> args = new ArrayList<>(List.of(verb, what));
        for (Path f : files) {
            args.add(f.toString());
        }
        return args.toArray(String[]::new);
    }

    private Result run(String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(executable.toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (OutputStream in = process.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("promtool did not finish in 60 s: " + command);
        }
        return new Result(process.exitValue(), output);
    }
}
