package io.kickoff.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kickoff.bus.KafkaBusConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class KafkaBusOptionTest {
    @TempDir
    Path dir;

    KafkaBusOption parse(String... args) {
        @CommandLine.Command(name = "t")
        class Holder {
            @CommandLine.Mixin
            KafkaBusOption option;
        }
        Holder holder = new Holder();
        new CommandLine(holder).parseArgs(args);
        return holder.option;
    }

    @Test
    void clientSettingsComeFromThePropertiesFileThenEachPropertyFlag() throws Exception {
        Path file = Files.writeString(dir.resolve("client.properties"), """
                security.protocol=SSL
                ssl.truststore.location=/etc/kafka/ca.p12
                """);

        KafkaBusOption option = parse("--kafka", "k:9092", "--kafka-config", file.toString(),
                "--kafka-property", "security.protocol=SASL_SSL,sasl.mechanism=SCRAM-SHA-512");

        assertThat(option.clientConfig()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512",
                "ssl.truststore.location", "/etc/kafka/ca.p12"));
    }

    @Test
    void anUnreadableFileIsASettingsErrorNamingIt() {
        KafkaBusOption option = parse("--kafka", "k:9092", "--kafka-config", dir.resolve("missing.properties").toString());
        assertThatThrownBy(option::clientConfig).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot read --kafka-config " + dir.resolve("missing.properties"));
    }

    @Test
    void theBusAppliesTheSettingsOverItsOwn() {
        KafkaBusConfig config = KafkaBusConfig.of("k:9092").withClientConfig(Map.of("security.protocol", "SSL"))
                .withClientConfig(Map.of("sasl.mechanism", "PLAIN")).withClientId("gw");
        assertThat(config.extraClientConfig()).containsEntry("security.protocol", "SSL")
                .containsEntry("sasl.mechanism", "PLAIN");
    }
}
