package io.kickoff.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * One {@code kickoff} command line run on its own thread, for commands that run until stopped:
 * tests read its output while it runs and stop it as a signal would.
 */
final class CliRun {
    private final CommandLine cli = Kickoff.commandLine();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();

    private CliRun() {
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
    }

    static CliRun start(String... args) {
        CliRun run = new CliRun();
        Thread thread = new Thread(() -> {
            try {
                run.exit.complete(run.cli.execute(args));
            } catch (Throwable e) {
                run.exit.completeExceptionally(e);
            }
        }, "kickoff-" + args[0]);
        thread.setDaemon(true);
        thread.start();
        return run;
    }

    /** The instance picocli runs for a subcommand, e.g. to stop it. */
    @SuppressWarnings("unchecked")
    <T> T command(String name) {
        return (T) cli.getSubcommands().get(name).getCommand();
    }

    CompletableFuture<Integer> exit() {
        return exit;
    }

    String out() {
        return out.toString();
    }

    String err() {
        return err.toString();
    }

    /** The first group of the pattern in the output so far, or null. */
    String find(Pattern pattern) {
        Matcher m = pattern.matcher(out());
        return m.find() ? m.group(1) : null;
    }

    /**
     * Waits until the output matches {@code regex} (or the command ends) and returns its first group;
     * fails, showing the output, if it never matched.
     */
    String awaitFound(String regex, Duration within) {
        Pattern pattern = Pattern.compile(regex);
        await().atMost(within).until(() -> find(pattern) != null || exit.isDone());
        String found = find(pattern);
        assertThat(found).as(toString()).isNotNull();
        return found;
    }

    @Override
    public String toString() {
        return "out:\n" + out() + "\nerr:\n" + err();
    }
}
