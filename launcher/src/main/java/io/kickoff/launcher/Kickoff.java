package io.kickoff.launcher;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code kickoff} command line. */
@Command(name = "kickoff", mixinStandardHelpOptions = true, version = "kickoff 0.1.0",
        description = "Live-event recommendation prefetch and broadcast.",
        subcommands = {ServeCommand.class, DemoCommand.class, GatewayCommand.class, LsmCommand.class, LsmBenchCommand.class, PrefetchCommand.class, AudienceCommand.class, CatalogCommand.class,
                SimulateCommand.class, MergeReportsCommand.class, KafkaCommand.class, TokenCommand.class, ConfigCommand.class,
                CommandLine.HelpCommand.class})
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

    /** Inherited by every command; read before the others (see {@link ConfiguredCommandLine}). */
    @CommandLine.Option(names = "--config", scope = CommandLine.ScopeType.INHERIT, paramLabel = "FILE",
            description = "Configuration file (YAML; env KICKOFF_CONFIG): options by name, at the top level for every "
                    + "command or in a section per command; flags and KICKOFF_* variables override it. See "
                    + "kickoff config print.")
    java.nio.file.Path config;

    public static void main(String[] args) {
        HOLLOW_LOG.setLevel(java.util.logging.Level.WARNING);
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return commandLine(System.getenv());
    }

    /** A value the converter refuses: its reason alone in the usage error, not the exception's class. */
    private static <T> T usageError(java.util.function.Supplier<T> conversion) {
        try {
            return conversion.get();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }

    static CommandLine commandLine(java.util.Map<String, String> env) {
        ConfigDefaults defaults = new ConfigDefaults(env);
        CommandLine cli = new ConfiguredCommandLine(new Kickoff(), defaults, env);
        // Every duration option of every command reads 30s, 2m, 1h30m (and ISO-8601).
        cli.registerConverter(java.time.Duration.class, text -> usageError(() -> Durations.parse(text)));
        // Every size option reads 512, 64KiB, 1MiB.
        cli.registerConverter(ByteSize.class, text -> usageError(() -> ByteSize.parse(text)));
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
        defaults.install(cli);
        return cli;
    }

    /**
     * The command line that reads the configuration file before it parses: picocli asks for defaults while parsing,
     * and {@code --config} may come anywhere on the line.
     */
    static final class ConfiguredCommandLine extends CommandLine {
        private final ConfigDefaults defaults;
        private final java.util.Map<String, String> env;

        ConfiguredCommandLine(Object command, ConfigDefaults defaults, java.util.Map<String, String> env) {
            super(command);
            this.defaults = defaults;
            this.env = env;
        }

        @Override
        public int execute(String... args) {
            String file = env.get("KICKOFF_CONFIG");
            for (int i = 0; i < args.length; i++) {
                if (args[i].equals("--config") && i + 1 < args.length) {
                    file = args[i + 1];
                } else if (args[i].startsWith("--config=")) {
                    file = args[i].substring("--config=".length());
                }
            }
            try {
                defaults.use(file == null || file.isBlank() ? ConfigFile.none()
                        : ConfigFile.load(java.nio.file.Path.of(file), this));
            } catch (IllegalArgumentException e) {
                getErr().println("kickoff: " + CommandFailure.oneLine(e.getMessage()));
                getErr().flush();
                return CommandFailure.USAGE;
            }
            return super.execute(args);
        }

        ConfigDefaults defaults() {
            return defaults;
        }
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "name a command: serve, demo, gateway, lsm, prefetch, audience, simulate, kafka or token");
    }
}
