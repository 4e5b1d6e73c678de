package io.kickoff.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * {@code kickoff simulate --workers W}: the devices spread over W child processes of {@code simulate} (one process
 * may hold at most {@value #MAX_DEVICES_PER_WORKER} devices under the open-files limit), each with its share of the
 * devices, its own id prefix and its own source address, supervised from here: their progress summed every second,
 * their reports merged into one (the same merge as {@code kickoff merge-reports}), stopped together on Ctrl-C, and
 * the run failed if any of them fails.
 */
final class SimulationWorkers {
    /** Under the 20,000 open files a process may have, with room for the JVM's own. */
    static final int MAX_DEVICES_PER_WORKER = 19_000;
    /** Options the parent gives each worker itself; any other option of the command line passes through. */
    private static final Set<String> OWN_OPTIONS = Set.of("--workers", "--worker-heap", "--devices", "--id-prefix",
            "--source-addresses", "--report-json", "--report-latencies");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What to run. */
    record Plan(int workers, int devices, String idPrefix, List<InetAddress> sources, ByteSize heapPerWorker,
                Path workDir, Path reportJson, List<String> passThrough) {
    }

    /** One child process. */
    private record Worker(int index, int devices, Process process, Path report, Path log) {
    }

    private final Plan plan;
    private final PrintWriter out;
    private final PrintWriter err;
    private final List<Worker> workers = new ArrayList<>();

    SimulationWorkers(Plan plan, PrintWriter out, PrintWriter err) {
        this.plan = plan;
        this.out = out;
        this.err = err;
    }

    /** The command line minus the options the parent sets per worker (both {@code --opt v} and {@code --opt=v}). */
    static List<String> passThrough(List<String> originalArgs) {
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < originalArgs.size(); i++) {
            String arg = originalArgs.get(i);
            if (i == 0 && arg.equals("simulate")) {
                continue;
            }
            String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            if (OWN_OPTIONS.contains(name)) {
                boolean flag = name.equals("--report-latencies");
                if (!arg.contains("=") && !flag) {
                    i++; // its value
                }
                continue;
            }
            kept.add(arg);
        }
        return kept;
    }

    /** Devices of worker {@code index}: an even share, the first ones one more when it does not divide. */
    static int share(int devices, int workers, int index) {
        return devices / workers + (index < devices % workers ? 1 : 0);
    }

    /** Source addresses of worker {@code index}: every {@code workers}-th of them, starting at its own. */
    static List<InetAddress> sourcesOf(List<InetAddress> sources, int workers, int index) {
        List<InetAddress> mine = new ArrayList<>();
        for (int i = index; i < sources.size(); i += workers) {
            mine.add(sources.get(i));
        }
        if (mine.isEmpty() && !sources.isEmpty()) {
            mine.add(sources.get(index % sources.size()));
        }
        return mine;
    }

    /** Starts the workers, reports their progress until they end, merges their reports; the run's exit code. */
    int run(UntilStopped stop) throws InterruptedException {
        try {
            Files.createDirectories(plan.workDir());
            for (int i = 0; i < plan.workers(); i++) {
                workers.add(start(i));
            }
        } catch (IOException e) {
            workers.forEach(w -> w.process().destroy());
            throw new UncheckedIOException("cannot start the simulator workers", e);
        }
        out.printf("simulating %,d devices in %d worker processes (%s heap each; logs and reports in %s)%n",
                plan.devices(), plan.workers(), plan.heapPerWorker(), plan.workDir());
        out.flush();
        boolean stopping = false;
        String last = "";
        while (workers.stream().anyMatch(w -> w.process().isAlive())) {
            if (!stopping && stop.isRequested()) {
                stopping = true;
                out.println("stopping the workers...");
                out.flush();
                workers.forEach(w -> w.process().destroy()); // SIGTERM: each stops its devices and writes its report
            }
            // A second's tick: waits on a worker still running (one that has ended would not wait at all).
            Worker running = workers.stream().filter(w -> w.process().isAlive()).findFirst().orElse(null);
            if (running != null) {
                running.process().waitFor(1, TimeUnit.SECONDS);
            }
            String line = progress();
            if (!line.equals(last)) {
                out.println(line);
                out.flush();
                last = line;
            }
        }
        int exit = 0;
        for (Worker worker : workers) {
            int code = worker.process().exitValue();
            if (code != 0 && !stopping) {
                err.printf("kickoff: worker %d exited with %d; the end of its log (%s):%n", worker.index(), code, worker.log());
                tail(worker.log(), 15).forEach(l -> err.println("  " + l));
                err.flush();
            }
            exit = Math.max(exit, code);
        }
        summarize();
        return stopping ? 0 : exit;
    }

    private Worker start(int index) throws IOException {
        int devices = share(plan.devices(), plan.workers(), index);
        Path report = plan.workDir().resolve("worker-" + index + ".json");
        Path log = plan.workDir().resolve("worker-" + index + ".log");
        List<String> command = new ArrayList<>(List.of(javaExecutable(), "-Xmx" + plan.heapPerWorker().bytes() / (1 << 20) + "m",
                "-XX:+UseParallelGC", "-cp", System.getProperty("java.class.path"), Kickoff.class.getName(), "simulate"));
        command.addAll(plan.passThrough());
        command.addAll(List.of("--devices", Integer.toString(devices), "--id-prefix", plan.idPrefix() + "w" + index + "-",
                "--report-json", report.toString()));
        List<InetAddress> sources = sourcesOf(plan.sources(), plan.workers(), index);
        if (!sources.isEmpty()) {
            command.add("--source-addresses");
            command.add(String.join(",", sources.stream().map(InetAddress::getHostAddress).toList()));
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new Worker(index, devices, process, report, log);
    }

    /** One line over every worker: phase, welcomed, connected, connecting, failures by cause, reconnects. */
    String progress() {
        ConnectProgress sum = ConnectProgress.none();
        TreeSet<String> phases = new TreeSet<>();
        int reporting = 0;
        for (Worker worker : workers) {
            JsonNode report = readQuietly(worker.report());
            if (report == null) {
                phases.add("starting");
                continue;
            }
            reporting++;
            phases.add(report.path("phase").asText("starting"));
            Map<String, Long> failures = new TreeMap<>();
            report.path("failures").fields().forEachRemaining(f -> failures.put(f.getKey(), f.getValue().asLong()));
            sum = sum.plus(new ConnectProgress(report.path("welcomed").asLong(), report.path("connected").asLong(),
                    report.path("connecting").asLong(), failures, report.path("reconnects").asLong()));
        }
        return sum.line(String.join("/", phases), plan.devices())
                + String.format(" (%d/%d workers reporting)", reporting, workers.size());
    }

    /** The merged figures of every watched seq, and memory per device; the merged report to --report-json. */
    private void summarize() {
        List<JsonNode> reports = new ArrayList<>();
        for (Worker worker : workers) {
            JsonNode report = readQuietly(worker.report());
            if (report != null) {
                reports.add(report);
            }
        }
        ObjectNode merged;
        try {
            merged = merge(reports, plan.devices());
        } catch (IllegalArgumentException e) {
            err.println("kickoff: a worker's report is incomplete: " + e.getMessage());
            err.flush();
            return;
        }
        long welcomed = merged.path("welcomed").asLong();
        if (welcomed > 0) {
            out.printf("memory: %,d MiB heap used and %,d MiB resident over %d workers, %.2f KiB heap and %.2f KiB "
                            + "resident per welcomed device%n", merged.path("heap_used_bytes").asLong() >> 20,
                    merged.path("rss_bytes").asLong() >> 20, workers.size(),
                    merged.path("heap_used_bytes").asLong() / 1024.0 / welcomed,
                    merged.path("rss_bytes").asLong() / 1024.0 / welcomed);
        }
        merged.path("broadcasts").forEach(b -> out.printf("all workers, seq %d: %,d/%,d devices reached, p50 %s ms, "
                        + "p99 %s ms, max %s ms, 100%% in %s ms%n", b.path("seq").asLong(), b.path("reached").asLong(),
                plan.devices(), ms(b.path("p50_ms")), ms(b.path("p99_ms")), ms(b.path("max_ms")),
                ms(b.path("time_to_100_ms"))));
        out.flush();
        if (plan.reportJson() != null) {
            try {
                JSON.writerWithDefaultPrettyPrinter().writeValue(plan.reportJson().toFile(), merged);
            } catch (IOException e) {
                throw new UncheckedIOException("could not write " + plan.reportJson(), e);
            }
        }
    }

    /**
     * The workers' reports as one: delivery figures over all their devices (as {@code kickoff merge-reports}), plus
     * {@code workers}, {@code welcomed}, {@code heap_used_bytes} and {@code rss_bytes} summed.
     *
     * @throws IllegalArgumentException if a report is not one {@code simulate} writes
     */
    static ObjectNode merge(List<JsonNode> reports, long devices) {
        List<ClientReport> clients = new ArrayList<>();
        long heap = 0;
        long rss = 0;
        long welcomed = 0;
        TreeSet<Long> seqs = new TreeSet<>();
        for (int i = 0; i < reports.size(); i++) {
            JsonNode report = reports.get(i);
            ClientReport client = ClientReport.parse("worker " + i, report);
            clients.add(client);
            seqs.addAll(client.broadcasts().keySet());
            heap += report.path("heap_used_bytes").asLong();
            rss += report.path("rss_bytes").asLong();
            welcomed += report.path("welcomed").asLong();
        }
        ObjectNode merged = new DeliveryFigures(clients, devices, List.copyOf(seqs), Map.of(), 3).toJson();
        merged.put("workers", reports.size());
        merged.put("welcomed", welcomed);
        merged.put("heap_used_bytes", heap);
        merged.put("rss_bytes", rss);
        return merged;
    }

    private static String ms(JsonNode millis) {
        return millis.isNumber() ? millis.asText() : "-";
    }

    private static JsonNode readQuietly(Path report) {
        if (!Files.isReadable(report)) {
            return null;
        }
        try {
            return JSON.readTree(report.toFile());
        } catch (IOException e) {
            return null; // being replaced (it is moved into place atomically, but may be absent a moment)
        }
    }

    private static List<String> tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return all.subList(Math.max(0, all.size() - lines), all.size());
        } catch (IOException e) {
            return List.of("(cannot read " + log + ": " + e.getMessage() + ")");
        }
    }

    private static String javaExecutable() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
