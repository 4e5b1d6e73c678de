package io.kickoff.launcher;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where an option not given on the command line takes its value from, in this order:
 * <ol>
 *   <li>the environment, for one command: {@code KICKOFF_<COMMAND>__<OPTION>} (e.g. {@code KICKOFF_GATEWAY__PORT});</li>
 *   <li>the environment, for every command with the option: {@code KICKOFF_<OPTION>} (e.g. {@code KICKOFF_KAFKA},
 *       {@code KICKOFF_TOKEN_SECRET});</li>
 *   <li>the configuration file ({@link ConfigFile});</li>
 *   <li>the command's own default.</li>
 * </ol>
 * Flags override all of them (picocli asks a default provider only for options that are not given).
 */
final class ConfigDefaults implements IDefaultValueProvider {
    private static final Pattern ENV_DEFAULT = Pattern.compile("\\$\\{env:([A-Za-z0-9_]+)}");

    private final Map<String, String> env;
    private final Map<CommandSpec, IDefaultValueProvider> ownDefaults = new HashMap<>();
    private volatile ConfigFile file = ConfigFile.none();

    ConfigDefaults(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** Becomes the default provider of {@code root} and every subcommand, keeping each command's own as a fallback. */
    void install(CommandLine root) {
        ownDefaults.put(root.getCommandSpec(), root.getCommandSpec().defaultValueProvider());
        root.getCommandSpec().defaultValueProvider(this);
        root.getSubcommands().values().forEach(this::install);
    }

    void use(ConfigFile file) {
        this.file = Objects.requireNonNull(file, "file");
    }

    ConfigFile file() {
        return file;
    }

    @Override
    public String defaultValue(ArgSpec arg) throws Exception {
        Optional<ConfigFile.Value> value = resolve(arg);
        if (value.isPresent()) {
            return value.get().text();
        }
        IDefaultValueProvider own = arg.command() == null ? null : ownDefaults.get(arg.command());
        return own == null ? null : own.defaultValue(arg);
    }

    /** The value {@code arg} takes from the environment or the file, with its source; empty if from neither. */
    Optional<ConfigFile.Value> resolve(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option) || option.usageHelp() || option.versionHelp() || arg.command() == null) {
            return Optional.empty();
        }
        String name = option.longestName().replaceFirst("^-+", "");
        if (name.equals("config")) {
            return Optional.empty();
        }
        String path = commandPath(arg.command());
        String scoped = "KICKOFF_" + envName(path) + "__" + envName(name);
        if (env.containsKey(scoped)) {
            return Optional.of(new ConfigFile.Value(env.get(scoped), "environment " + scoped));
        }
        String global = "KICKOFF_" + envName(name);
        if (env.containsKey(global)) {
            return Optional.of(new ConfigFile.Value(env.get(global), "environment " + global));
        }
        // An option whose own default names another variable (${env:X}): a set variable wins over the file.
        if (option.defaultValue() != null) {
            Matcher m = ENV_DEFAULT.matcher(option.defaultValue());
            if (m.find() && env.containsKey(m.group(1))) {
                return Optional.empty();
            }
        }
        return file.lookup(path, name);
    }

    /** "gateway", "catalog publish": the command's names below the root. */
    static String commandPath(CommandSpec command) {
        String qualified = command.qualifiedName(" ");
        int space = qualified.indexOf(' ');
        return space < 0 ? "" : qualified.substring(space + 1);
    }

    private static String envName(String name) {
        return name.toUpperCase(Locale.ROOT).replace('-', '_').replace(' ', '_');
    }
}
