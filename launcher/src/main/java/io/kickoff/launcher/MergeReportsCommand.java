package io.kickoff.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Merges the {@code --report-json} files of several {@code kickoff simulate} processes into delivery
 * figures over all their devices (see {@link DeliveryFigures}); the broadcast benches print them.
 * Hidden from the main help: a tool of the benches.
 */
@Command(name = "merge-reports", hidden = true, mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Merge the --report-json files of several kickoff simulate processes into delivery figures "
                + "over all their devices, as JSON: per broadcast (devices reached, p50/p99/max latency, time to 100 %, "
                + "when the last device had it, trigger -> 100 %), cold (the first one) and steady (--steady-from on, "
                + "merged; time to 100 % and trigger -> 100 %: the lower median).",
                "Percentiles are by nearest rank over the merged HdrHistograms (3 significant digits: within 0.1 %, "
                        + "never above the exact maximum).",
                "Exit status: 0, or 2 for bad options or a file that is not a report."})
final class MergeReportsCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameters(arity = "1..*", paramLabel = "REPORT", description = "Report files of kickoff simulate --report-json, one per client process.")
    List<Path> reports;

    @Option(names = "--devices", paramLabel = "N",
            description = "Devices of the run; time to 100 % needs every one of them (default: the reports' devices added up).")
    Long devices;

    @Option(names = "--seq", split = ",", paramLabel = "SEQ",
            description = "Broadcasts to report on, in order, e.g. 1,2,3 (default: every seq any report has, ascending).")
    List<Long> seqs;

    @Option(names = "--steady-from", defaultValue = "3", paramLabel = "SEQ",
            description = "First broadcast of the steady state (default: ${DEFAULT-VALUE}).")
    long steadyFrom;

    @Option(names = "--triggered-at", paramLabel = "SEQ=EPOCH_US",
            description = "When the trigger of broadcast SEQ was sent, epoch microseconds, for its trigger -> 100 %; repeat per seq.")
    Map<Long, Long> triggeredAt = Map.of();

    @Option(names = "--output", paramLabel = "FILE", description = "Write the JSON to FILE (default: standard output).")
    Path output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (devices != null && devices < 1) {
            throw new ParameterException(spec.commandLine(), "--devices must be at least 1");
        }
        if (steadyFrom < 1 || (seqs != null && seqs.stream().anyMatch(s -> s < 1))) {
            throw new ParameterException(spec.commandLine(), "--steady-from and --seq values must be at least 1");
        }
        List<ClientReport> clients = new ArrayList<>();
        for (Path report : reports) {
            clients.add(ClientReport.read(report)); // IllegalArgumentException: one line, exit 2
        }
        long total = devices != null ? devices : clients.stream().mapToLong(ClientReport::devices).sum();
        List<Long> order = seqs;
        if (order == null) {
            TreeSet<Long> all = new TreeSet<>();
            clients.forEach(c -> all.addAll(c.broadcasts().keySet()));
            order = List.copyOf(all);
        }
        DeliveryFigures figures = new DeliveryFigures(clients, total, order, triggeredAt, steadyFrom);
        try {
            String json = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(figures.toJson());
            if (output == null) {
                spec.commandLine().getOut().println(json);
                spec.commandLine().getOut().flush();
            } else {
                Files.writeString(output, json + "\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + output, e);
        }
        return 0;
    }
}
