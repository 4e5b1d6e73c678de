package io.kickoff.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kickoff.simulator.AppliedUpdate;
import io.kickoff.simulator.BundleCacheFigures;
import io.kickoff.simulator.DeviceOutcomes;
import io.kickoff.simulator.DeviceFleet;
import io.kickoff.simulator.DeviceView;
import io.kickoff.simulator.FleetConfig;
import io.kickoff.simulator.SimulatorReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The JSON file of {@code kickoff simulate --report-json}: one object, rewritten atomically as the
 * run goes, so a script can poll it.
 *
 * <pre>{@code
 * {"id_prefix": "c1-", "pid": 4242, "phase": "connecting|connected|holding|watching|done",
 *  "devices": 19000, "gateways": ["ws://..."], "format": "kickoff.v1.proto", "acks": true,
 *  "misbehave": "garbage=0.01,silent=0.01",
 *  "welcomed": 19000, "connected": 19000, "duplicates": 0, "connect_ms": 9876, "error": null,
 *  "bundle_cache": {"hits": 18000, "misses": 1000, "expired": 0, "fetched": 1000, "not_modified": 0, "fetch_failures": 0},
 *  "outcomes": {"well-behaved": {"devices": 18620, "welcomes": 18620, "close_codes": {}, "http_statuses": {},
 *               "refusals_with_retry_after": 0, "storm_reconnects": 0}, "garbage": {"devices": 190, "welcomes": 400, "close_codes": {"1007": 399}, ...}},
 *  "event": "bench", "broadcasts": [
 *    {"event": "bench", "seq": 1, "stage": "PREFETCH", "issued_at": "2026-...Z", "issued_at_us": 1790000000000000,
 *     "devices": 19000, "connected": 19000, "applied": 19000, "reached": 19000,
 *     "p50_ms": 120.3, "p99_ms": 250.1, "max_ms": 270.9, "time_to_100_ms": 270.9, "duplicates": 0,
 *     "latency_count": 19000, "latency_max_us": 270912, "latency_histogram": "HISTFAAAA...",
 *     "latencies_us": [...]}],
 *  "ok": true}
 * }</pre>
 *
 * Figures that do not exist (no device applied the update, not every device reached it) are null.
 * {@code issued_at_us} is {@code issued_at} in epoch microseconds. The top-level {@code duplicates}
 * (updates received again and not applied, e.g. redeliveries to devices that withhold acks) is
 * refreshed on every write, the last time when the run ends.
 * {@code bundle_cache} counts the devices' cache hits, misses (of which {@code expired}), fetches answered 200
 * ({@code fetched}) and 304 ({@code not_modified}) and failed fetches; {@code outcomes} says, per kind of device
 * ({@code well-behaved} and each {@code --misbehave} kind), how many there are, their welcomes, the close codes and
 * refusal statuses they met (and how many refusals carried {@code Retry-After}) and the reconnects a storm made ({@code misbehave} is the plan, {@code ""} for none).
 * {@code latency_histogram} holds the latencies (issue to receipt, microseconds, one per device that
 * applied exactly that seq) as an HdrHistogram of 3 significant digits, compressed and base64-encoded,
 * with their count and exact maximum beside it: {@code kickoff merge-reports} merges several client
 * processes' into percentiles over all their devices. {@code latencies_us} (every latency, exact)
 * only with {@code --report-latencies}. {@code ok} is null until {@code phase} is {@code done}.
 */
final class SimulationReport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final boolean latencies;
    private final ObjectNode root = JSON.createObjectNode();
    private final ArrayNode broadcasts;
    private String fatal;

    SimulationReport(Path file, String idPrefix, FleetConfig config, String event, boolean latencies) {
        this.file = file;
        this.latencies = latencies;
        root.put("id_prefix", idPrefix);
        root.put("pid", ProcessHandle.current().pid());
        root.put("phase", "connecting");
        root.put("devices", config.devices());
        ArrayNode gateways = root.putArray("gateways");
        for (URI gateway : config.gateways()) {
            gateways.add(gateway.toString());
        }
        root.put("format", config.wireFormat().subprotocol());
        root.put("acks", config.ackUpdates());
        root.put("misbehave", config.misbehaviours().toString());
        root.put("welcomed", 0);
        root.put("connected", 0);
        root.put("duplicates", 0);
        root.putNull("connect_ms");
        root.putNull("error");
        if (event == null) {
            root.putNull("event");
        } else {
            root.put("event", event);
        }
        broadcasts = root.putArray("broadcasts");
        root.putNull("ok");
    }

    String fatal() {
        return fatal;
    }

    void fatal(String why) {
        fatal = why;
        root.put("error", why);
        write();
    }

    void connecting(DeviceFleet fleet) {
        counts(fleet);
        write();
    }

    void connected(DeviceFleet fleet, long millis) {
        root.put("phase", "connected");
        root.put("connect_ms", millis);
        counts(fleet);
        write();
    }

    void holding(DeviceFleet fleet) {
        root.put("phase", "holding");
        counts(fleet);
        write();
    }

    void broadcast(DeviceFleet fleet, SimulatorReport report) {
        root.put("phase", "watching");
        ObjectNode b = broadcasts.addObject();
        b.put("event", report.eventId());
        b.put("seq", report.seq());
        Optional<AppliedUpdate> sample = sample(fleet, report.eventId(), report.seq());
        putNullable(b, "stage", sample.map(u -> u.stage().name()).orElse(null));
        Optional<AppliedUpdate> issued = sample.filter(AppliedUpdate::hasIssuedAt);
        putNullable(b, "issued_at", issued.map(u -> u.issuedAt().toString()).orElse(null));
        if (issued.isPresent()) {
            b.put("issued_at_us", issued.get().issuedAtMicros());
        } else {
            b.putNull("issued_at_us");
        }
        b.put("devices", report.devices());
        b.put("connected", report.connected());
        b.put("applied", report.applied());
        b.put("reached", report.reached());
        putMillis(b, "p50_ms", report.p50Millis());
        putMillis(b, "p99_ms", report.p99Millis());
        putMillis(b, "max_ms", report.maxMillis());
        putMillis(b, "time_to_100_ms", report.timeToAllMillis());
        b.put("duplicates", report.duplicates());
        // What kickoff merge-reports merges across client processes.
        b.put("latency_count", report.latencies().count());
        b.put("latency_max_us", report.latencies().maxMicros());
        b.put("latency_histogram", report.latencies().encoded());
        if (latencies) {
            ArrayNode values = b.putArray("latencies_us");
            for (int i = 0; i < fleet.deviceCount(); i++) {
                fleet.device(i).applied(report.eventId(), report.seq())
                        .filter(AppliedUpdate::hasIssuedAt)
                        .ifPresent(u -> values.add(Math.max(0, u.latencyMicros())));
            }
        }
        counts(fleet);
        write();
    }

    void done(DeviceFleet fleet, boolean ok) {
        root.put("phase", "done");
        root.put("ok", ok);
        counts(fleet);
        write();
    }

    /** Progress while connecting, rewritten every second (what {@code --workers} sums). */
    void progress(DeviceFleet fleet) {
        counts(fleet);
        write();
    }

    private void counts(DeviceFleet fleet) {
        root.put("welcomed", fleet.welcomedCount());
        root.put("connected", fleet.connectedCount());
        root.put("connecting", fleet.deviceCount() - fleet.connectedCount());
        root.put("reconnects", fleet.reconnects());
        ObjectNode failures = root.putObject("failures");
        fleet.failuresByCause().forEach(failures::put);
        // Memory per device, as --workers reports it: this process's heap in use and resident set.
        Runtime runtime = Runtime.getRuntime();
        root.put("heap_used_bytes", runtime.totalMemory() - runtime.freeMemory());
        root.put("rss_bytes", residentBytes());
        long duplicates = 0;
        for (int i = 0; i < fleet.deviceCount(); i++) {
            duplicates += fleet.device(i).duplicates();
        }
        root.put("duplicates", duplicates);
        BundleCacheFigures cache = fleet.bundleCache();
        ObjectNode bundles = root.putObject("bundle_cache");
        bundles.put("hits", cache.hits());
        bundles.put("misses", cache.misses());
        bundles.put("expired", cache.expired());
        bundles.put("fetched", cache.fetched());
        bundles.put("not_modified", cache.notModified());
        bundles.put("fetch_failures", cache.fetchFailures());
        ObjectNode outcomes = root.putObject("outcomes");
        for (DeviceOutcomes outcome : fleet.outcomes().values()) {
            ObjectNode kind = outcomes.putObject(outcome.kind());
            kind.put("devices", outcome.devices());
            kind.put("welcomes", outcome.welcomes());
            ObjectNode closes = kind.putObject("close_codes");
            outcome.closeCodes().forEach((code, count) -> closes.put(String.valueOf(code), count));
            ObjectNode statuses = kind.putObject("http_statuses");
            outcome.httpStatuses().forEach((status, count) -> statuses.put(String.valueOf(status), count));
            kind.put("refusals_with_retry_after", outcome.refusalsWithRetryAfter());
            kind.put("storm_reconnects", outcome.reconnects());
        }
    }

    /** VmRSS of /proc/self/status, 0 where there is none. */
    private static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return 0;
    }

    private static Optional<AppliedUpdate> sample(DeviceFleet fleet, String eventId, long seq) {
        for (int i = 0; i < fleet.deviceCount(); i++) {
            DeviceView view = fleet.device(i);
            Optional<AppliedUpdate> update = view.applied(eventId, seq);
            if (update.isPresent()) {
                return update;
            }
        }
        return Optional.empty();
    }

    private static void putNullable(ObjectNode node, String field, String value) {
        if (value == null) {
            node.putNull(field);
        } else {
            node.put(field, value);
        }
    }

    private static void putMillis(ObjectNode node, String field, double millis) {
        if (Double.isNaN(millis)) {
            node.putNull(field);
        } else {
            node.put(field, Math.round(millis * 1000.0) / 1000.0);
        }
    }

    private void write() {
        if (file == null) {
            return;
        }
        try {
            Path absolute = file.toAbsolutePath();
            Path tmp = absolute.resolveSibling(absolute.getFileName() + ".tmp");
            // Thousands of latencies are unreadable pretty-printed anyway.
            (latencies ? JSON.writer() : JSON.writerWithDefaultPrettyPrinter()).writeValue(tmp.toFile(), root);
            Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file, e);
        }
    }
}
