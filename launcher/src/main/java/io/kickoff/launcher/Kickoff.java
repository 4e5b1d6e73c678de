package io.kickoff.launcher;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code kickoff} command line. */
@Command(name = "kickoff", mixinStandardHelpOptions = true, version = "kickoff 0.1.0",
        description = "Live-event recommendation prefetch and broadcast.",
        subcommands = {ServeCommand.class, DemoCommand.class, GatewayCommand.class, LsmCommand.class, LsmBenchCommand.class, PrefetchCommand.class, CatalogCommand.class,
                SimulateCommand.class, MergeReportsCommand.class, KafkaCommand.class, TokenCommand.class, CommandLine.HelpCommand.class})
public final class Kickoff implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

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
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            // Bad settings (a short secret, a taken port) are the user's to fix: say so in one line, exit 2.
            if (e instanceof IllegalArgumentException) {
                commandLine.getErr().println("kickoff: " + e.getMessage());
                return 2;
            }
            // A port taken between the check and the bind (or a bind refused for another reason): still one line.
            String bindFailure = bindFailure(e);
            if (bindFailure != null) {
                commandLine.getErr().println("kickoff: cannot listen: " + bindFailure);
                return 2;
            }
            // Something we depend on did not come up (a broker, a bus): one line, exit 1.
            if (e instanceof IllegalStateException) {
                commandLine.getErr().println("kickoff: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return cli;
    }

    /** The message of a failed bind anywhere in the causes (NIO's BindException or the native transport's), or null. */
    static String bindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (t instanceof java.net.BindException
                    || (message != null && (message.contains("Address already in use") || message.contains("bind(")))) {
                return message;
            }
        }
        return null;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "name a command: serve, demo, gateway, lsm, simulate, kafka or token");
    }
}
