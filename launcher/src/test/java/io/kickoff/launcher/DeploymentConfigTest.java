package io.kickoff.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * The example configuration files of a three-node cluster ({@code ops/config/}) are accepted by {@code kickoff config
 * print} with no unknown key, every key they set reaches the command it is meant for, and they differ only in the
 * node's names: so the examples cannot rot while the options change.
 */
class DeploymentConfigTest {
    static final Path CONFIG = Path.of("..", "ops", "config").toAbsolutePath().normalize();
    static final List<String> SERVICES = List.of("gateway", "lsm", "prefetch", "audience");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static Stream<Path> nodeFiles() throws Exception {
        try (Stream<Path> files = Files.list(CONFIG)) {
            List<Path> yaml = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
            assertThat(yaml).extracting(f -> f.getFileName().toString())
                    .containsExactly("node-1.yaml", "node-2.yaml", "node-3.yaml");
            return yaml.stream();
        }
    }

    static KickoffCliTest.Run print(Path file) {
        CommandLine cli = Kickoff.commandLine(Map.of());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        List<String> args = new java.util.ArrayList<>(List.of("config", "print"));
        args.addAll(SERVICES);
        args.addAll(List.of("--config", file.toString()));
        int code = cli.execute(args.toArray(String[]::new));
        return new KickoffCliTest.Run(code, out.toString(), err.toString());
    }

    /** The lines {@code config print} printed for one command. */
    static String block(String printed, String command) {
        int start = printed.indexOf("\n" + command + ":\n");
        assertThat(start).as("section of " + command).isNotNegative();
        int end = printed.indexOf("\n", start + 1);
        while (end >= 0 && end + 1 < printed.length() && printed.startsWith("  ", end + 1)) {
            end = printed.indexOf("\n", end + 1);
        }
        return printed.substring(start + 1, end < 0 ? printed.length() : end);
    }

    /** The file with the node's number taken out of its names. */
    static String normalized(String text) {
        return text.replaceAll("\\b(gateway|lsm|prefetch|audience|node)-\\d\\b", "$1-N").replaceAll("node \\d ", "node N ");
    }

    @ParameterizedTest
    @MethodSource("nodeFiles")
    void everyKeyOfTheFileReachesItsCommandAndNoKeyIsUnknown(Path file) throws Exception {
        KickoffCliTest.Run print = print(file);
        assertThat(print.exitCode()).as(print.err()).isZero();
        assertThat(print.err()).doesNotContain("unknown key");

        JsonNode tree = YAML.readTree(file.toFile());
        tree.fields().forEachRemaining(entry -> {
            if (SERVICES.contains(entry.getKey())) {
                String block = block(print.out(), entry.getKey());
                entry.getValue().fields().forEachRemaining(setting -> assertThat(block).contains("  " + setting.getKey()
                        + ": " + setting.getValue().asText() + "  # file " + file + " (" + entry.getKey() + "."
                        + setting.getKey() + ")"));
            } else {
                long reached = SERVICES.stream().map(service -> block(print.out(), service))
                        .filter(block -> block.contains("  " + entry.getKey() + ": " + entry.getValue().asText()
                                + "  # file " + file + " (" + entry.getKey() + ")"))
                        .count();
                assertThat(reached).as(entry.getKey() + " in every service").isEqualTo(SERVICES.size());
            }
        });
        assertThat(tree.fieldNames()).toIterable().containsAll(SERVICES);
    }

    @ParameterizedTest
    @MethodSource("nodeFiles")
    void eachNodeNamesItselfSharesKafkaAndRedisAndKeepsNoSecret(Path file) throws Exception {
        String n = file.getFileName().toString().replaceAll("\\D", "");
        String printed = print(file).out();
        assertThat(block(printed, "gateway")).contains("  node-id: gateway-" + n + "  #", "  port: 8080  #",
                "  kafka: kafka-1.internal:9092,kafka-2.internal:9092,kafka-3.internal:9092  #", "  host: 0.0.0.0  #");
        assertThat(block(printed, "lsm")).contains("  node-id: lsm-" + n + "  #", "  port: 8081  #",
                "  redis: redis://redis.internal:6379  #", "  relay-group: kickoff-lsm-outbox  #");
        assertThat(block(printed, "prefetch")).contains("  node-id: prefetch-" + n + "  #", "  port: 8082  #",
                "  redis: redis://redis.internal:6379  #", "  catalog-dir: /var/lib/kickoff/catalog  #");
        assertThat(block(printed, "audience")).contains("  node-id: audience-" + n + "  #", "  port: 8083  #",
                "  kafka: kafka-1.internal:9092,kafka-2.internal:9092,kafka-3.internal:9092  #",
                "  replication-factor: 3  #", "  standby-replicas: 1  #");
        // Secrets come from the environment: the file sets neither, so they are the defaults (or the env's).
        assertThat(printed).doesNotContain("token-secret: '***'  # file", "admin-token: '***'  # file");

        assertThat(normalized(Files.readString(file))).as(file + " is node-1.yaml with its own names")
                .isEqualTo(normalized(Files.readString(CONFIG.resolve("node-1.yaml"))));
    }
}
