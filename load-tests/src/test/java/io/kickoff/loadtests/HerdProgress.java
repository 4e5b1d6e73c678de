package io.kickoff.loadtests;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the broadcast herd shares with its producer: how many devices are greeted and listening
 * (the producer goes LIVE once all are), and when each received the LIVE update. Gatling's own
 * statistics time each device's wait from its welcome, which includes waiting for the rest of the
 * herd to connect; the broadcast latency proper ({@code issued_at} → receipt) is kept here.
 */
final class HerdProgress {
    private final int devices;
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch listening;
    private final ConcurrentLinkedQueue<Long> latencyMicros = new ConcurrentLinkedQueue<>();
    private final AtomicReference<Instant> lastReceipt = new AtomicReference<>();
    private final AtomicLong firstIssuedAtMillis = new AtomicLong(Long.MAX_VALUE);
    private final AtomicBoolean completionLogged = new AtomicBoolean();
    private volatile Instant adminCallStart;

    HerdProgress(int devices) {
        this.devices = devices;
        this.listening = new CountDownLatch(devices);
    }

    /** A device of the herd (not of the warm-up) started. */
    void deviceStarted() {
        started.countDown();
    }

    /** Waits until the first device of the herd starts (the warm-up, if any, is over); true if it did. */
    boolean awaitFirstDevice(Duration timeout) throws InterruptedException {
        return started.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A device got its welcome; from this instant its LIVE check is armed. */
    void deviceListening() {
        listening.countDown();
    }

    /** Waits until every device listens, or the timeout passes; true if all do. */
    boolean awaitHerd(Duration timeout) throws InterruptedException {
        return listening.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    int listeningDevices() {
        return devices - (int) listening.getCount();
    }

    void adminCallStarted(Instant at) {
        adminCallStart = at;
    }

    /**
     * A device received the LIVE update stamped {@code issuedAt} (RFC 3339, from the Live State
     * Manager) now; returns {@code "<issued_at ms>/<receipt ms>"} (epoch), which the device keeps
     * for {@link Timings} to log.
     */
    String liveReceived(String issuedAt) {
        Instant now = Instant.now();
        Instant issued = Instant.parse(issuedAt);
        latencyMicros.add(Duration.between(issued, now).toNanos() / 1_000);
        firstIssuedAtMillis.accumulateAndGet(issued.toEpochMilli(), Math::min);
        lastReceipt.accumulateAndGet(now, (a, b) -> a == null || b.isAfter(a) ? b : a);
        return issued.toEpochMilli() + "/" + now.toEpochMilli();
    }

    /** {@code issued_at} of a receipt kept by {@link #liveReceived}. */
    static long issuedAtMillis(String receipt) {
        return Long.parseLong(receipt.substring(0, receipt.indexOf('/')));
    }

    /** Receipt instant of a receipt kept by {@link #liveReceived}. */
    static long receivedMillis(String receipt) {
        return Long.parseLong(receipt.substring(receipt.indexOf('/') + 1));
    }

    /** When the producer made the admin call (epoch ms), or -1 if this run did not make it. */
    long adminCallMillis() {
        Instant start = adminCallStart;
        return start == null ? -1 : start.toEpochMilli();
    }

    /**
     * Time to 100 %: once every device has received LIVE, the first caller gets the span from the
     * admin call (or, when another producer made it, the update's {@code issued_at}) to the last
     * receipt; every other call, and any call before the herd is complete, gets {@code null}.
     */
    Timings.Span claimTimeToAll() {
        if (received() < devices || !completionLogged.compareAndSet(false, true)) {
            return null;
        }
        long start = adminCallMillis() >= 0 ? adminCallMillis() : firstIssuedAtMillis.get();
        return Timings.Span.ok(start, lastReceipt.get().toEpochMilli());
    }

    int received() {
        return latencyMicros.size();
    }

    /** One line per figure, for the end of the run. */
    String summary() {
        long[] sorted = latencyMicros.stream().mapToLong(Long::longValue).sorted().toArray();
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "herd: %d/%d devices listening, %d/%d received LIVE%n",
                listeningDevices(), devices, sorted.length, devices));
        if (sorted.length > 0) {
            out.append(String.format(Locale.ROOT,
                    "broadcast latency, issued_at -> device: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    percentile(sorted, 50) / 1000.0, percentile(sorted, 95) / 1000.0, percentile(sorted, 99) / 1000.0,
                    sorted[sorted.length - 1] / 1000.0));
            Instant start = adminCallStart;
            Instant last = lastReceipt.get();
            if (start != null && last != null) {
                out.append(String.format(Locale.ROOT, "admin call -> last device: %.1f ms%n",
                        Duration.between(start, last).toNanos() / 1e6));
            }
        }
        return out.toString();
    }

    /** Nearest-rank percentile of a sorted array. */
    static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
