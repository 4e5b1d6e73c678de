package io.kickoff.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SimulationWorkersTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void workersGetEveryOptionButTheOnesSetPerWorkerInEitherSpelling() {
        List<String> args = List.of("simulate", "--gateway", "ws://127.0.0.1:8080", "--workers", "4", "--devices=1000",
                "--report-json", "r.json", "--report-latencies", "--watch", "ev", "--id-prefix=x-", "--worker-heap", "1GiB",
                "--source-addresses", "127.0.0.2", "--token-secret", "s");

        assertThat(SimulationWorkers.passThrough(args))
                .containsExactly("--gateway", "ws://127.0.0.1:8080", "--watch", "ev", "--token-secret", "s");
    }

    @Test
    void devicesAndSourceAddressesAreSharedOutEvenly() throws Exception {
        assertThat(List.of(0, 1, 2).stream().map(i -> SimulationWorkers.share(10, 3, i))).containsExactly(4, 3, 3);
        assertThat(List.of(0, 1, 2).stream().mapToInt(i -> SimulationWorkers.share(100_000, 3, i)).sum()).isEqualTo(100_000);
        List<InetAddress> sources = List.of(InetAddress.getByName("127.0.0.2"), InetAddress.getByName("127.0.0.3"),
                InetAddress.getByName("127.0.0.4"), InetAddress.getByName("127.0.0.5"), InetAddress.getByName("127.0.0.6"));
        assertThat(SimulationWorkers.sourcesOf(sources, 2, 0)).extracting(InetAddress::getHostAddress)
                .containsExactly("127.0.0.2", "127.0.0.4", "127.0.0.6");
        assertThat(SimulationWorkers.sourcesOf(sources, 2, 1)).extracting(InetAddress::getHostAddress)
                .containsExactly("127.0.0.3", "127.0.0.5");
        // More workers than addresses: each still gets one.
        assertThat(SimulationWorkers.sourcesOf(sources.subList(0, 2), 3, 2)).extracting(InetAddress::getHostAddress)
                .containsExactly("127.0.0.2");
    }

    static JsonNode report(int devices, long welcomed, long heap, long... latenciesMicros) {
        ObjectNode root = JSON.createObjectNode();
        root.put("devices", devices);
        root.put("welcomed", welcomed);
        root.put("heap_used_bytes", heap);
        root.put("rss_bytes", heap * 2);
        ObjectNode b = root.putArray("broadcasts").addObject();
        io.kickoff.simulator.LatencyHistogram histogram = io.kickoff.simulator.LatencyHistogram.of(latenciesMicros);
        b.put("seq", 1);
        b.put("reached", latenciesMicros.length);
        b.put("applied", latenciesMicros.length);
        b.put("time_to_100_ms", latenciesMicros.length == devices ? histogram.maxMillis().getAsDouble() : null);
        b.put("issued_at_us", 1_000_000L);
        b.put("latency_histogram", histogram.encoded());
        b.put("latency_max_us", histogram.maxMicros());
        return root;
    }

    @Test
    void reportsMergeIntoFiguresOverEveryDeviceAndMemoryIsSummed() {
        ObjectNode merged = SimulationWorkers.merge(List.of(report(2, 2, 1 << 20, 1_000, 2_000),
                report(2, 2, 3 << 20, 3_000, 9_000)), 4);

        JsonNode b = merged.at("/broadcasts/0");
        assertThat(b.get("reached").asLong()).isEqualTo(4);
        assertThat(b.get("max_ms").asDouble()).isEqualTo(9.0);
        assertThat(b.get("p50_ms").asDouble()).isBetween(1.99, 2.01);
        assertThat(b.get("time_to_100_ms").asDouble()).isEqualTo(9.0);
        assertThat(merged.get("workers").asInt()).isEqualTo(2);
        assertThat(merged.get("welcomed").asLong()).isEqualTo(4);
        assertThat(merged.get("heap_used_bytes").asLong()).isEqualTo(4 << 20);
        assertThat(merged.get("rss_bytes").asLong()).isEqualTo(8 << 20);
    }

    @Test
    void aWorkerLeftBehindMeansNoTimeTo100() {
        ObjectNode merged = SimulationWorkers.merge(List.of(report(2, 2, 0, 1_000, 2_000), report(2, 1, 0, 3_000)), 4);
        assertThat(merged.at("/broadcasts/0/reached").asLong()).isEqualTo(3);
        assertThat(merged.at("/broadcasts/0/time_to_100_ms").isNull()).isTrue();
    }

    @Test
    void aReportThatIsNotOneIsRefusedNamingTheWorker() {
        assertThatThrownBy(() -> SimulationWorkers.merge(List.of(report(1, 1, 0, 5), JSON.createObjectNode()), 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("worker 1");
    }

    @Test
    void progressLinesSumWorkersAndNameFailuresByCause() {
        ConnectProgress a = new ConnectProgress(10, 9, 1, Map.of("503", 2L), 1);
        ConnectProgress b = new ConnectProgress(5, 5, 0, Map.of("503", 1L, "refused", 4L), 0);
        assertThat(a.plus(b).line("connecting", 20)).isEqualTo(
                "connecting: 15/20 welcomed, 14 connected, 1 connecting, failed: 503×3 refused×4, 1 reconnects");
    }
}
