package io.kickoff.devservers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class ChildProcessTest {

    @Test
    void freePortsAreDistinctBindableAndBelowTheEphemeralRange() throws IOException {
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        int ephemeralLow = Files.exists(range)
                ? Integer.parseInt(Files.readAllLines(range).get(0).trim().split("\\s+")[0])
                : Integer.MAX_VALUE;
        assertThat(ephemeralLow).as("low end of the ephemeral port range").isGreaterThan(1024);
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            int port = ChildProcess.freePort();
            assertThat(ports.add(port)).as("port %d handed out twice", port).isTrue();
            if (ephemeralLow > 11_000) {
                assertThat(port).isBetween(10_000, ephemeralLow - 1);
            }
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress("127.0.0.1", port));
                assertThat(socket.getLocalPort()).isEqualTo(port);
            }
        }
    }

    @Test
    void tailKeepsTheEndOfALongLog() throws IOException {
        Path log = Files.createTempFile("devservers-tail", ".log");
        try {
            Files.writeString(log, "x".repeat(20_000) + "the last line\n");
            String tail = ChildProcess.tail(log);
            assertThat(tail).startsWith("...").endsWith("the last line\n").hasSizeLessThan(9_000);
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
