package io.kickoff.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kickoff.simulator.LatencyHistogram;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Delivery figures of a run over every device of several client processes, from their reports: per
 * broadcast, and steady (broadcasts {@code steadyFrom} and later merged). The arithmetic the broadcast
 * benches print; their README defines each figure.
 *
 * <ul>
 *   <li>p50, p99: nearest-rank percentiles of the merged latencies (within HdrHistogram's 3 significant
 *       digits, never above the maximum); max: exact.</li>
 *   <li>time to 100 %: the slowest client's, each measured from the {@code issued_at} its devices got;
 *       null unless every client reported the seq, each had every device there, and together they hold
 *       every device.</li>
 *   <li>last device at: when the last device of all clients had it (epoch microseconds);
 *       trigger → 100 %: from the caller's trigger time for the seq to then.</li>
 *   <li>steady time to 100 % and trigger → 100 %: the lower median over the steady broadcasts that have one.</li>
 * </ul>
 */
final class DeliveryFigures {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One broadcast over every client. Null figures do not exist (see the class comment). */
    record Broadcast(long seq, long devices, int clientsReporting, long reached, long applied,
            Double p50Ms, Double p99Ms, Double maxMs, Double timeTo100Ms, Long issuedAtUs, Long lastAtUs,
            Double triggerTo100Ms, LatencyHistogram latencies) {
    }

    /** Broadcasts {@code from} and later, merged; null figures: none of them has one. */
    record Steady(long from, int broadcasts, Double p50Ms, Double p99Ms, Double timeTo100Ms, Double triggerTo100Ms) {
    }

    private final long devices;
    private final List<Broadcast> broadcasts;
    private final Steady steady;

    /**
     * @param reports     one per client process
     * @param devices     devices of the run (usually the clients' sum)
     * @param seqs        the broadcasts to report on, in order
     * @param triggeredAt seq → when its trigger was sent, epoch microseconds (seqs without one get no
     *                    trigger → 100 %)
     * @param steadyFrom  the first steady seq
     */
    DeliveryFigures(List<ClientReport> reports, long devices, List<Long> seqs, Map<Long, Long> triggeredAt,
            long steadyFrom) {
        this.devices = devices;
        List<Broadcast> all = new ArrayList<>();
        for (long seq : seqs) {
            all.add(broadcast(reports, devices, seq, triggeredAt.get(seq)));
        }
        this.broadcasts = List.copyOf(all);
        this.steady = steady(broadcasts, steadyFrom);
    }

    List<Broadcast> broadcasts() {
        return broadcasts;
    }

    Steady steady() {
        return steady;
    }

    private static Broadcast broadcast(List<ClientReport> reports, long devices, long seq, Long triggeredAtUs) {
        List<ClientReport.Part> parts = reports.stream().map(r -> r.broadcasts().get(seq)).filter(Objects::nonNull).toList();
        long reached = parts.stream().mapToLong(ClientReport.Part::reached).sum();
        long applied = parts.stream().mapToLong(ClientReport.Part::applied).sum();
        LatencyHistogram latencies = LatencyHistogram.merge(parts.stream().map(ClientReport.Part::latencies).toList());
        boolean everyClientAt100 = parts.size() == reports.size() && !parts.isEmpty()
                && parts.stream().allMatch(p -> p.timeTo100Ms() != null) && reached >= devices;
        Double timeTo100 = everyClientAt100
                ? parts.stream().mapToDouble(ClientReport.Part::timeTo100Ms).max().getAsDouble() : null;
        Long issuedAt = parts.stream().map(ClientReport.Part::issuedAtUs).filter(Objects::nonNull).findFirst().orElse(null);
        Long lastAt = everyClientAt100 && parts.stream().allMatch(p -> p.issuedAtUs() != null)
                ? parts.stream().mapToLong(p -> p.issuedAtUs() + Math.round(p.timeTo100Ms() * 1000)).max().getAsLong()
                : null;
        Double triggerTo100 = lastAt == null || triggeredAtUs == null ? null : (lastAt - triggeredAtUs) / 1000.0;
        return new Broadcast(seq, devices, parts.size(), reached, applied, boxed(latencies.percentileMillis(50)),
                boxed(latencies.percentileMillis(99)), boxed(latencies.maxMillis()), timeTo100, issuedAt, lastAt,
                triggerTo100, latencies);
    }

    private static Steady steady(List<Broadcast> broadcasts, long from) {
        List<Broadcast> steady = broadcasts.stream().filter(b -> b.seq() >= from).toList();
        LatencyHistogram latencies = LatencyHistogram.merge(steady.stream().map(Broadcast::latencies).toList());
        return new Steady(from, steady.size(), boxed(latencies.percentileMillis(50)), boxed(latencies.percentileMillis(99)),
                lowerMedian(steady.stream().map(Broadcast::timeTo100Ms).toList()),
                lowerMedian(steady.stream().map(Broadcast::triggerTo100Ms).toList()));
    }

    /** The middle value, the lower of the two middle ones for an even count; nulls skipped; null if none. */
    static Double lowerMedian(Collection<Double> values) {
        List<Double> sorted = values.stream().filter(Objects::nonNull).sorted().toList();
        return sorted.isEmpty() ? null : sorted.get((sorted.size() - 1) / 2);
    }

    private static Double boxed(OptionalDouble value) {
        return value.isPresent() ? value.getAsDouble() : null;
    }

    /** The figures as JSON: {@code devices}, {@code broadcasts} (in order), {@code cold} (the first), {@code steady}. */
    ObjectNode toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("devices", devices);
        var list = root.putArray("broadcasts");
        for (Broadcast b : broadcasts) {
            list.add(json(b));
        }
        if (broadcasts.isEmpty()) {
            root.putNull("cold");
        } else {
            root.set("cold", json(broadcasts.get(0)));
        }
        ObjectNode s = root.putObject("steady");
        s.put("from", steady.from());
        s.put("broadcasts", steady.broadcasts());
        putMillis(s, "p50_ms", steady.p50Ms());
        putMillis(s, "p99_ms", steady.p99Ms());
        putMillis(s, "time_to_100_ms", steady.timeTo100Ms());
        putMillis(s, "trigger_to_100_ms", steady.triggerTo100Ms());
        return root;
    }

    private static ObjectNode json(Broadcast b) {
        ObjectNode node = JSON.createObjectNode();
        node.put("seq", b.seq());
        node.put("devices", b.devices());
        node.put("clients_reporting", b.clientsReporting());
        node.put("reached", b.reached());
        node.put("applied", b.applied());
        putMillis(node, "p50_ms", b.p50Ms());
        putMillis(node, "p99_ms", b.p99Ms());
        putMillis(node, "max_ms", b.maxMs());
        putMillis(node, "time_to_100_ms", b.timeTo100Ms());
        if (b.issuedAtUs() == null) {
            node.putNull("issued_at_us");
        } else {
            node.put("issued_at_us", b.issuedAtUs());
        }
        if (b.lastAtUs() == null) {
            node.putNull("last_at_us");
        } else {
            node.put("last_at_us", b.lastAtUs());
        }
        putMillis(node, "trigger_to_100_ms", b.triggerTo100Ms());
        return node;
    }

    private static void putMillis(ObjectNode node, String field, Double millis) {
        if (millis == null) {
            node.putNull(field);
        } else {
            node.put(field, Math.round(millis * 1000.0) / 1000.0);
        }
    }
}
