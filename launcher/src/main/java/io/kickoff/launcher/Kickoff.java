package io.kickoff.launcher;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code kickoff} command line. */
@Command(name = "kickoff", mixinStandardHelpOptions = true, version = "kickoff 0.1.0",
        description = "Live-event recommendation prefetch and broadcast.",
        subcommands = {ServeCommand.class, DemoCommand.class, GatewayCommand.class, LsmCommand.class, LsmBenchCommand.class, PrefetchCommand.class, CatalogCommand.class,
                SimulateCommand.class, MergeReportsCommand.class, KafkaCommand.class, TokenCommand.class, CommandLine.HelpCommand.class})
public final class Kickoff implements Runnable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Kickoff.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Inherited by every command, so it may come anywhere on the line. */
    @CommandLine.Option(names = "--log-format", scope = CommandLine.ScopeType.INHERIT, paramLabel = "FORMAT",
            description = "The log on stderr: ${COMPLETION-CANDIDATES} (one JSON object per line) (default: text).")
    void logFormat(LogOutput.Format format) {
        LogOutput.use(format);
    }

    /**
     * Hollow logs every blob it reads and writes at INFO through java.util.logging, which would bury
     * the CLI's own output; its warnings still show. Held here: JUL keeps loggers weakly.
     */
    private static final java.util.logging.Logger HOLLOW_LOG = java.util.logging.Logger.getLogger("com.netflix.hollow");

    public static void main(String[] args) {
        HOLLOW_LOG.setLevel(java.util.logging.Level.WARNING);
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Kickoff());
        // Every duration option of every command reads 30s, 2m, 1h30m (and ISO-8601).
        cli.registerConverter(java.time.Duration.class, Durations::parse);
        // Every command, whatever failed: one line and a documented exit code (CommandFailure), the stack in the log.
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            CommandFailure failure = CommandFailure.of(e);
            log.debug("kickoff {} failed", commandLine.getCommandName(), e);
            commandLine.getErr().println("kickoff: " + failure.line());
            return failure.exitCode();
        });
        // A bad option or value: one line too, and where to read about the options (picocli would print the usage).
        cli.setParameterExceptionHandler((e, args) -> {
            CommandLine commandLine = e.getCommandLine();
            log.debug("kickoff: bad arguments", e);
            commandLine.getErr().println("kickoff: " + CommandFailure.oneLine(e.getMessage()) + " (see "
                    + commandLine.getCommandSpec().qualifiedName() + " --help)");
            return CommandFailure.USAGE;
        });
        return cli;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "name a command: serve, demo, gateway, lsm, simulate, kafka or token");
    }
}
