package io.kickoff.launcher;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The effective configuration of each command, and where each value comes from. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Configuration: kickoff config print shows every setting of every command (or the named ones) "
                + "with its value and source: environment, config file (--config / KICKOFF_CONFIG) or default.",
        subcommands = {ConfigCommand.Print.class})
final class ConfigCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a subcommand: print");
    }

    @Command(name = "print", mixinStandardHelpOptions = true,
            description = "Every setting of the named commands (default: all), its effective value and its source. "
                    + "Secrets (tokens, passwords) are shown as ***.")
    static final class Print implements Callable<Integer> {
        @Parameters(arity = "0..*", paramLabel = "COMMAND", description = "Commands to show, e.g. gateway lsm.")
        List<String> commands = new ArrayList<>();

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            CommandLine root = spec.root().commandLine();
            if (!(root instanceof Kickoff.ConfiguredCommandLine configured)) {
                throw new IllegalStateException("kickoff config print runs from the kickoff command line");
            }
            ConfigDefaults defaults = configured.defaults();
            PrintWriter out = spec.commandLine().getOut();
            out.println("# configuration file: " + defaults.file().path().map(Object::toString).orElse("none"));
            List<String> names = commands.isEmpty() ? List.copyOf(root.getSubcommands().keySet()) : commands;
            for (String name : names) {
                CommandLine command = root.getSubcommands().get(name);
                if (command == null) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "no command '" + name + "'");
                }
                print(out, command, defaults);
            }
            out.flush();
            return 0;
        }

        private static void print(PrintWriter out, CommandLine command, ConfigDefaults defaults) {
            CommandSpec spec = command.getCommandSpec();
            String path = ConfigDefaults.commandPath(spec);
            List<OptionSpec> settings = spec.options().stream()
                    .filter(o -> !o.usageHelp() && !o.versionHelp() && !o.longestName().equals("--config")
                            && !o.longestName().equals("--log-format"))
                    .toList();
            if (!settings.isEmpty() && !path.equals("help") && !path.startsWith("config")) {
                out.println(path.replace(' ', '.') + ":");
                for (OptionSpec option : settings) {
                    String name = option.longestName().replaceFirst("^-+", "");
                    Optional<ConfigFile.Value> configured = defaults.resolve(option);
                    String value;
                    String source;
                    if (configured.isPresent()) {
                        value = configured.get().text();
                        source = configured.get().source();
                    } else {
                        String own;
                        try {
                            own = defaults.defaultValue(option);
                        } catch (Exception e) {
                            own = null;
                        }
                        String raw = own != null ? own : option.defaultValue();
                        value = raw == null ? null : option.command().interpolateVariables() ? interpolate(option, raw) : raw;
                        source = value == null ? "not set" : "default";
                    }
                    out.println(("  " + name + ": " + (value == null ? "" : secret(name) ? "'***'" : yaml(value))).stripTrailing() + "  # " + source);
                }
            }
            command.getSubcommands().values().forEach(sub -> print(out, sub, defaults));
        }

        /** ${env:X} and ${sys:X} in a default, as picocli would expand them. */
        private static String interpolate(OptionSpec option, String raw) {
            String out = raw;
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\$\\{(env|sys):([^}:]+)(:-([^}]*))?}").matcher(raw);
            while (m.find()) {
                String found = m.group(1).equals("env") ? System.getenv(m.group(2)) : System.getProperty(m.group(2));
                String replacement = found != null ? found : m.group(4) != null ? m.group(4) : "";
                out = out.replace(m.group(), replacement);
            }
            return out.isEmpty() ? null : out;
        }

        private static boolean secret(String name) {
            String n = name.toLowerCase(Locale.ROOT);
            return n.contains("token") || n.contains("secret") || n.contains("password");
        }

        private static String yaml(String value) {
            return value.matches("[A-Za-z0-9_./:@,+-]+") && !value.matches("(?i)true|false|yes|no|null|~") ? value
                    : "'" + value.replace("'", "''") + "'";
        }
    }
}
