package io.kickoff.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --mode embedded}: the launcher starts a real Kafka broker and Redis server, runs on them, stops them. */
class EmbeddedModeIT {

    /**
     * With no --mode the demo runs embedded: the story on a real Kafka and Redis, its report saying so. End to end for
     * the audience: the players' viewing signals go through the gateway and Kafka to the audience service, and the
     * admin API's audience is exactly the players of each segment after LIVE, and 0 after ENDED.
     */
    @Test
    void demoRunsOnARealKafkaByDefaultExitsZeroAndWritesTheReport(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("demo.json");
        KickoffCliTest.Run demo = KickoffCliTest.run("demo", "--gateway-port", "0",
                "--admin-port", "0", "--bundle-port", "0", "--devices", "10", "--countdown", "0s",
                "--play-share", "0.6", "--play-delay", "1s", "--report", file.toString());
        assertThat(demo.exitCode()).as(demo.out() + demo.err()).isZero();
        assertThat(demo.out()).contains("Kickoff is up (mode embedded).",
                "(single-node KRaft broker started by kickoff", "redis://127.0.0.1:")
                .containsSubsequence("services up  Kafka 127.0.0.1:", "(started by kickoff)", "connected    10/10",
                        "prefetched   100 % coverage", "delivered    10/10 devices reached",
                        "audience     6 of the devices start playing",
                        "audience     6 watching: br-pt-adult 2, us-en-adult 4; LIVE turned into 6 plays",
                        "ENDED        10/10", "audience     0 watching",
                        "audience            6 watching after LIVE (br-pt-adult 2, us-en-adult 4), 6 plays of LIVE; 0 after ENDED",
                        "OK: all 10 devices received ev-ufc-309 LIVE (seq 2), its bundle already in hand, and ENDED");
        com.fasterxml.jackson.databind.JsonNode report = new com.fasterxml.jackson.databind.ObjectMapper().readTree(file.toFile());
        assertThat(report.get("ok").asBoolean()).isTrue();
        assertThat(report.get("exit_code").asInt()).isZero();
        assertThat(report.get("mode").asText()).isEqualTo("embedded");
        assertThat(report.at("/live/reached").asLong()).isEqualTo(10);
        assertThat(report.at("/live/bundle_cache_hits").asLong()).isEqualTo(10);
        assertThat(report.at("/ended/reached").asLong()).isEqualTo(10);
        // Devices 0..5 play; the 2:1 mix puts devices 0, 1, 3, 4 in us-en-adult and 2, 5 in br-pt-adult.
        assertThat(report.at("/audience/players").asLong()).isEqualTo(6);
        assertThat(report.at("/audience/viewers").asLong()).isEqualTo(6);
        assertThat(report.at("/audience/segments/us-en-adult").asLong()).isEqualTo(4);
        assertThat(report.at("/audience/segments/br-pt-adult").asLong()).isEqualTo(2);
        assertThat(report.at("/audience/live_plays").asLong()).isEqualTo(6);
        assertThat(report.at("/audience/converged_ms").isNumber()).isTrue();
        assertThat(report.at("/audience/viewers_after_ended").asLong()).isZero();
    }

    /**
     * A SIGTERM runs the JVM's shutdown hooks all at once: the services must still stop before the broker and the Redis
     * server they use, or every Kafka client and the leader lease log their way through a dead broker.
     */
    @Test
    void sigtermStopsTheServicesBeforeTheBrokerAndRedisTheyUse(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process serve = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dlogback.configurationFile=" + Path.of("target", "classes", "logback.xml").toAbsolutePath(),
                "-cp", System.getProperty("java.class.path"), Kickoff.class.getName(),
                "serve", "--mode", "embedded", "--gateway-port", "0", "--admin-port", "0", "--bundle-port", "0")
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(120))
                    .until(() -> Files.readString(out).contains("Running.") || !serve.isAlive());
            assertThat(serve.isAlive()).as(Files.readString(out) + Files.readString(err)).isTrue();

            serve.destroy(); // SIGTERM

            assertThat(serve.waitFor(90, TimeUnit.SECONDS)).isTrue();
            String log = Files.readString(err);
            assertThat(log).as(log).contains("stopped")
                    .doesNotContain("NetworkClient", "could not release the leader lease", "ConnectionWatchdog");
        } finally {
            serve.destroyForcibly();
        }
    }
}
