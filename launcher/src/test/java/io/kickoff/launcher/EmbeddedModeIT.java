package io.kickoff.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code --mode embedded}: the launcher starts a real Kafka broker and Redis server, runs on them, stops them. */
class EmbeddedModeIT {

    @Test
    void demoRunsOnARealKafkaAndExitsZero() {
        KickoffCliTest.Run demo = KickoffCliTest.run("demo", "--mode", "embedded", "--gateway-port", "0",
                "--admin-port", "0", "--bundle-port", "0", "--devices", "10");
        assertThat(demo.exitCode()).as(demo.out() + demo.err()).isZero();
        assertThat(demo.out()).contains("Kickoff is up (mode embedded).",
                "(single-node KRaft broker started by kickoff", "redis://127.0.0.1:",
                "OK: all 10 devices received ev-ufc-309 LIVE (seq 2), its bundle already in hand");
    }
}
