package io.kickoff.launcher;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The configuration file ({@code --config FILE} or {@code KICKOFF_CONFIG}): YAML whose keys are the commands' long
 * option names without their dashes. A key at the top level sets that option for every command that has it
 * ({@code kafka}, {@code token-secret}); a command's name opens a section for that command alone (a subcommand's
 * name a section within it):
 * <pre>
 *   kafka: kafka-1:9092,kafka-2:9092
 *   token-secret: a-secret-of-at-least-32-bytes-from-your-vault
 *   gateway:
 *     port: 8080
 *     drain-window: 45s
 *   lsm:
 *     redis: redis://redis:6379
 * </pre>
 * Values are written as on the command line (durations as {@code 30s}, sizes as {@code 64KiB}); an option given
 * several times takes a list. A key that is no option of any command, or a section key that is no option of that
 * command, is refused with its name, so a typo never passes silently.
 */
final class ConfigFile {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Path path;
    /** option name → value, for every command. */
    private final Map<String, String> everywhere;
    /** command path ("gateway", "catalog publish") → option name → value. */
    private final Map<String, Map<String, String>> sections;

    private ConfigFile(Path path, Map<String, String> everywhere, Map<String, Map<String, String>> sections) {
        this.path = path;
        this.everywhere = everywhere;
        this.sections = sections;
    }

    static ConfigFile none() {
        return new ConfigFile(null, Map.of(), Map.of());
    }

    /**
     * Reads and checks {@code file} against the commands of {@code root}.
     *
     * @throws IllegalArgumentException naming the file and the key or line at fault
     */
    static ConfigFile load(Path file, CommandLine root) {
        JsonNode tree;
        try {
            tree = YAML.readTree(Files.readString(file));
        } catch (JacksonException e) {
            throw new IllegalArgumentException("config file " + file + " is not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage());
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            return new ConfigFile(file, Map.of(), Map.of());
        }
        if (!tree.isObject()) {
            throw new IllegalArgumentException("config file " + file + " must be a map of option names and command sections");
        }
        Map<String, String> everywhere = new LinkedHashMap<>();
        Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        TreeSet<String> allOptions = new TreeSet<>();
        collectOptions(root, allOptions);
        for (Iterator<Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String key = entry.getKey();
            CommandLine command = root.getSubcommands().get(key);
            if (command != null && entry.getValue().isObject()) {
                readSection(file, key, command, entry.getValue(), sections);
            } else if (allOptions.contains(key)) {
                everywhere.put(key, scalar(file, key, entry.getValue()));
            } else {
                throw new IllegalArgumentException("config file " + file + ": unknown key '" + key + "': neither a command ("
                        + String.join(", ", root.getSubcommands().keySet().stream().filter(k -> !k.equals("help")).toList())
                        + ") nor an option of one");
            }
        }
        return new ConfigFile(file, everywhere, sections);
    }

    private static void readSection(Path file, String path, CommandLine command, JsonNode section,
                                    Map<String, Map<String, String>> sections) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = section.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String key = entry.getKey();
            CommandLine sub = command.getSubcommands().get(key);
            if (sub != null && entry.getValue().isObject()) {
                readSection(file, path + " " + key, sub, entry.getValue(), sections);
            } else if (option(command, key).isPresent()) {
                values.put(key, scalar(file, path + "." + key, entry.getValue()));
            } else {
                throw new IllegalArgumentException("config file " + file + ": unknown key '" + path.replace(' ', '.') + "."
                        + key + "': kickoff " + path + " has no option --" + key + " (see kickoff " + path + " --help)");
            }
        }
        sections.put(path, values);
    }

    /** A value as the command line would have it; a list joined by the option's split (a comma). */
    private static String scalar(Path file, String key, JsonNode value) {
        if (value.isValueNode()) {
            return value.asText();
        }
        if (value.isArray()) {
            List<String> items = new ArrayList<>();
            value.forEach(item -> items.add(item.asText()));
            return String.join(",", items);
        }
        if (value.isObject()) {
            // KEY=VALUE pairs, e.g. kafka-property: {security.protocol: SSL}
            List<String> pairs = new ArrayList<>();
            value.fields().forEachRemaining(e -> pairs.add(e.getKey() + "=" + e.getValue().asText()));
            return String.join(",", pairs);
        }
        throw new IllegalArgumentException("config file " + file + ": '" + key + "' has no usable value");
    }

    private static void collectOptions(CommandLine command, TreeSet<String> into) {
        for (OptionSpec option : command.getCommandSpec().options()) {
            if (!option.usageHelp() && !option.versionHelp()) {
                into.add(option.longestName().replaceFirst("^-+", ""));
            }
        }
        command.getSubcommands().values().forEach(sub -> collectOptions(sub, into));
    }

    static Optional<OptionSpec> option(CommandLine command, String name) {
        return Optional.ofNullable(command.getCommandSpec().findOption("--" + name));
    }

    Optional<Path> path() {
        return Optional.ofNullable(path);
    }

    /** The file's value for {@code option} of the command at {@code commandPath}, section before top level. */
    Optional<Value> lookup(String commandPath, String option) {
        Map<String, String> section = sections.get(commandPath);
        if (section != null && section.containsKey(option)) {
            return Optional.of(new Value(section.get(option), "file " + path + " (" + commandPath.replace(' ', '.') + "." + option + ")"));
        }
        if (everywhere.containsKey(option)) {
            return Optional.of(new Value(everywhere.get(option), "file " + path + " (" + option + ")"));
        }
        return Optional.empty();
    }

    /** A setting's value and where it came from, for {@code kickoff config print}. */
    record Value(String text, String source) {
    }
}
