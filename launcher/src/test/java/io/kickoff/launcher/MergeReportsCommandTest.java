package io.kickoff.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kickoff.simulator.LatencyHistogram;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The arithmetic the broadcast benches print ({@link DeliveryFigures}) and the command that prints it. */
class MergeReportsCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long ISSUED_AT_US = 1_790_000_000_000_000L;

    @TempDir
    Path dir;

    /** A seq as kickoff simulate --report-json writes it: every one of the client's devices applied it. */
    private static ObjectNode seq(long seq, long[] latencies, boolean everyDevice) {
        LatencyHistogram histogram = LatencyHistogram.of(latencies);
        ObjectNode b = JSON.createObjectNode();
        b.put("event", "bench");
        b.put("seq", seq);
        b.put("issued_at_us", ISSUED_AT_US + seq * 10_000_000L);
        b.put("applied", latencies.length);
        b.put("reached", latencies.length);
        if (everyDevice) {
            b.put("time_to_100_ms", histogram.maxMicros() / 1000.0);
        } else {
            b.putNull("time_to_100_ms");
        }
        b.put("latency_count", histogram.count());
        b.put("latency_max_us", histogram.maxMicros());
        b.put("latency_histogram", histogram.encoded());
        return b;
    }

    private static ObjectNode report(int devices, ObjectNode... seqs) {
        ObjectNode root = JSON.createObjectNode();
        root.put("devices", devices);
        root.put("phase", "watching");
        ArrayNode list = root.putArray("broadcasts");
        for (ObjectNode s : seqs) {
            list.add(s);
        }
        return root;
    }

    private Path write(String name, JsonNode report) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, JSON.writeValueAsString(report));
        return file;
    }

    private static long[] latencies(long seed, int n, long bound) {
        return new SplittableRandom(seed).longs(n, 1_000, bound).toArray();
    }

    private static double nearestRankMillis(long[] micros, double p) {
        long[] sorted = micros.clone();
        Arrays.sort(sorted);
        return sorted[(int) Math.max(1, Math.ceil(p / 100 * sorted.length)) - 1] / 1000.0;
    }

    private static long[] concat(long[]... parts) {
        return Arrays.stream(parts).flatMapToLong(LongStream::of).toArray();
    }

    @Test
    void twoClientsMergeIntoThePercentilesOfTheirUnion() throws Exception {
        long[][] a = {latencies(1, 600, 300_000), latencies(2, 600, 200_000), latencies(3, 600, 90_000)};
        long[][] b = {latencies(4, 400, 900_000), latencies(5, 400, 250_000), latencies(6, 400, 120_000)};
        List<ClientReport> reports = List.of(
                ClientReport.parse("a", report(600, seq(1, a[0], true), seq(2, a[1], true), seq(3, a[2], true))),
                ClientReport.parse("b", report(400, seq(1, b[0], true), seq(2, b[1], true), seq(3, b[2], true))));
        Map<Long, Long> triggers = Map.of(1L, ISSUED_AT_US, 2L, ISSUED_AT_US + 20_000_000L - 5_000, 3L, ISSUED_AT_US + 30_000_000L);

        DeliveryFigures figures = new DeliveryFigures(reports, 1_000, List.of(1L, 2L, 3L), triggers, 2);

        for (int i = 0; i < 3; i++) {
            DeliveryFigures.Broadcast broadcast = figures.broadcasts().get(i);
            long[] union = concat(a[i], b[i]);
            assertThat(broadcast.seq()).isEqualTo(i + 1);
            assertThat(broadcast.reached()).isEqualTo(1_000);
            assertThat(broadcast.clientsReporting()).isEqualTo(2);
            assertThat(broadcast.p50Ms()).isCloseTo(nearestRankMillis(union, 50), within(nearestRankMillis(union, 50) * 0.001));
            assertThat(broadcast.p99Ms()).isCloseTo(nearestRankMillis(union, 99), within(nearestRankMillis(union, 99) * 0.001));
            assertThat(broadcast.maxMs()).isEqualTo(Arrays.stream(union).max().getAsLong() / 1000.0);
            // The slowest client's time to 100 %.
            assertThat(broadcast.timeTo100Ms()).isEqualTo(broadcast.maxMs());
        }
        // Trigger -> the last device: issued_at + time to 100 % - trigger.
        DeliveryFigures.Broadcast second = figures.broadcasts().get(1);
        assertThat(second.lastAtUs()).isEqualTo(ISSUED_AT_US + 20_000_000L + Math.round(second.timeTo100Ms() * 1000));
        assertThat(second.triggerTo100Ms()).isCloseTo(second.timeTo100Ms() + 5.0, within(0.001));

        // Steady: broadcasts 2 and 3 merged; medians over those two (the lower one).
        long[] steadyUnion = concat(a[1], b[1], a[2], b[2]);
        DeliveryFigures.Steady steady = figures.steady();
        assertThat(steady.broadcasts()).isEqualTo(2);
        assertThat(steady.p99Ms()).isCloseTo(nearestRankMillis(steadyUnion, 99), within(nearestRankMillis(steadyUnion, 99) * 0.001));
        assertThat(steady.timeTo100Ms()).isEqualTo(Math.min(figures.broadcasts().get(1).timeTo100Ms(),
                figures.broadcasts().get(2).timeTo100Ms()));
        assertThat(DeliveryFigures.lowerMedian(Arrays.asList(3.0, null, 1.0, 2.0, 4.0))).isEqualTo(2.0);
    }

    @Test
    void missingDevicesLeaveReachedShortAndNoTimeTo100() {
        long[] some = latencies(7, 90, 100_000);
        List<ClientReport> reports = List.of(
                ClientReport.parse("a", report(100, seq(1, some, false), seq(2, some, true))),
                ClientReport.parse("b", report(100, seq(2, some, true))));

        DeliveryFigures figures = new DeliveryFigures(reports, 200, List.of(1L, 2L, 3L), Map.of(2L, ISSUED_AT_US), 3);

        DeliveryFigures.Broadcast first = figures.broadcasts().get(0);
        assertThat(first.reached()).isEqualTo(90).isLessThan(200);
        assertThat(first.clientsReporting()).isEqualTo(1);
        assertThat(first.timeTo100Ms()).isNull();
        assertThat(first.lastAtUs()).isNull();
        assertThat(first.p50Ms()).isNotNull();
        // Both clients report seq 2 complete, but they hold 180 of the run's 200 devices.
        DeliveryFigures.Broadcast second = figures.broadcasts().get(1);
        assertThat(second.reached()).isEqualTo(180);
        assertThat(second.timeTo100Ms()).isNull();
        assertThat(second.triggerTo100Ms()).isNull();
        // Nobody reported seq 3.
        DeliveryFigures.Broadcast third = figures.broadcasts().get(2);
        assertThat(third.reached()).isZero();
        assertThat(third.p50Ms()).isNull();
        assertThat(third.maxMs()).isNull();
        assertThat(figures.steady().p99Ms()).isNull();
        assertThat(figures.steady().timeTo100Ms()).isNull();
    }

    @Test
    void theCommandPrintsTheFiguresAsJson() throws Exception {
        long[] a = latencies(8, 50, 100_000);
        long[] b = latencies(9, 70, 100_000);
        Path first = write("client-1.json", report(50, seq(1, a, true), seq(2, a, true), seq(3, a, true)));
        Path second = write("client-2.json", report(70, seq(1, b, true), seq(2, b, true), seq(3, b, true)));

        KickoffCliTest.Run run = KickoffCliTest.run("merge-reports", "--triggered-at", "3=" + (ISSUED_AT_US + 30_000_000L),
                first.toString(), second.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode out = JSON.readTree(run.out());
        assertThat(out.get("devices").asLong()).isEqualTo(120);
        assertThat(out.get("broadcasts")).hasSize(3);
        assertThat(out.at("/broadcasts/2/reached").asLong()).isEqualTo(120);
        assertThat(out.at("/broadcasts/2/trigger_to_100_ms").asDouble())
                .isEqualTo(out.at("/broadcasts/2/time_to_100_ms").asDouble());
        assertThat(out.at("/broadcasts/0/trigger_to_100_ms").isNull()).isTrue();
        assertThat(out.at("/cold/seq").asLong()).isEqualTo(1);
        assertThat(out.at("/steady/from").asLong()).isEqualTo(3);
        assertThat(out.at("/steady/p99_ms").asDouble()).isCloseTo(nearestRankMillis(concat(a, b), 99),
                within(nearestRankMillis(concat(a, b), 99) * 0.001));
    }

    @Test
    void aReportOfAnOlderClientWithEveryLatencyIsMergedToo() throws Exception {
        ObjectNode old = report(3, JSON.createObjectNode());
        ObjectNode b = (ObjectNode) old.get("broadcasts").get(0);
        b.put("seq", 1).put("reached", 3).put("applied", 3).put("time_to_100_ms", 9.0).put("issued_at_us", ISSUED_AT_US);
        b.putArray("latencies_us").add(1_000).add(5_000).add(9_000);

        KickoffCliTest.Run run = KickoffCliTest.run("merge-reports", write("old.json", old).toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(JSON.readTree(run.out()).at("/broadcasts/0/p50_ms").asDouble()).isCloseTo(5.0, within(0.005));
    }

    @Test
    void aFileThatIsNotAReportIsAUsageErrorNamingIt() throws Exception {
        Path notJson = dir.resolve("client-1.json");
        Files.writeString(notJson, "{\"devices\": 3, \"broadcasts\": [");
        KickoffCliTest.Run broken = KickoffCliTest.run("merge-reports", notJson.toString());
        assertThat(broken.exitCode()).isEqualTo(2);
        assertThat(broken.err()).startsWith("kickoff: ").contains("client-1.json", "not JSON").doesNotContain("Exception");

        Path noHistogram = write("client-2.json", report(3, (ObjectNode) JSON.createObjectNode().put("seq", 1)
                .put("reached", 3).put("applied", 3)));
        KickoffCliTest.Run incomplete = KickoffCliTest.run("merge-reports", noHistogram.toString());
        assertThat(incomplete.exitCode()).isEqualTo(2);
        assertThat(incomplete.err()).contains("client-2.json seq 1", "latency_histogram");

        Path badHistogram = write("client-3.json", report(3, (ObjectNode) JSON.createObjectNode().put("seq", 1)
                .put("reached", 3).put("applied", 3).put("latency_max_us", 5).put("latency_histogram", "garbage")));
        assertThat(KickoffCliTest.run("merge-reports", badHistogram.toString()).exitCode()).isEqualTo(2);

        KickoffCliTest.Run missing = KickoffCliTest.run("merge-reports", dir.resolve("nowhere.json").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("nowhere.json", "cannot read");

        assertThat(KickoffCliTest.run("merge-reports").exitCode()).isEqualTo(2);
        assertThat(KickoffCliTest.run("merge-reports", "--devices", "0", notJson.toString()).exitCode()).isEqualTo(2);
    }
}
