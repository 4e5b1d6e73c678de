package io.kickoff.launcher;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The demo's story as it happens, one line per step with the time since the demo started:
 * {@code   +5.6s  connected    2,000/2,000 devices welcomed in 1.5 s}. A phase that takes a while (devices
 * connecting, bundles landing) shows a progress bar redrawn in place on a terminal, and a plain line every
 * second otherwise (a log, a pipe, CI), so that the output stays readable in both.
 */
final class DemoTimeline implements AutoCloseable {
    private static final int BAR_WIDTH = 30;
    private static final Duration PLAIN_TICK = Duration.ofSeconds(1);
    private static final Duration TTY_TICK = Duration.ofMillis(200);

    private final PrintWriter out;
    private final boolean terminal;
    private final long startNanos;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "kickoff-demo-timeline");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * @param terminal   true to redraw progress bars in place (the output is a terminal), false for plain lines
     * @param startNanos {@link System#nanoTime()} when the demo started: time zero of the timeline
     */
    DemoTimeline(PrintWriter out, boolean terminal, long startNanos) {
        this.out = out;
        this.terminal = terminal;
        this.startNanos = startNanos;
    }

    /** Milliseconds since the demo started. */
    long elapsedMillis() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    /** One step of the story: {@code +12.3s  LABEL  text}. */
    synchronized void step(String label, String text) {
        out.println(line(label, text));
        out.flush();
    }

    private String line(String label, String text) {
        return String.format(Locale.ROOT, "%8s  %-12s %s", String.format(Locale.ROOT, "+%.1fs", elapsedMillis() / 1000.0),
                label, text);
    }

    /**
     * Shows {@code done()} of {@code total} climbing until {@link Progress#close()}: a bar redrawn in place on a
     * terminal, a plain line every second otherwise (only when the count moved, so a stuck phase does not flood a log).
     */
    Progress progress(String label, long total, LongSupplier done, String unit) {
        return new Progress(label, total, done, unit);
    }

    /**
     * Counts down to zero, one line a second ({@code LIVE in 3}, {@code 2}, {@code 1}); completes at zero. A zero
     * duration completes at once.
     */
    CompletableFuture<Void> countdown(String label, String what, Duration duration) {
        CompletableFuture<Void> zero = new CompletableFuture<>();
        long seconds = (duration.toMillis() + 999) / 1000;
        if (seconds <= 0) {
            zero.complete(null);
            return zero;
        }
        for (long left = seconds; left > 0; left--) {
            long remaining = left;
            ticker.schedule(() -> step(label, what + " in " + remaining), seconds - left, TimeUnit.SECONDS);
        }
        ticker.schedule(() -> zero.complete(null), seconds, TimeUnit.SECONDS);
        return zero;
    }

    static String bar(long done, long total) {
        int filled = total <= 0 ? BAR_WIDTH : (int) Math.min(BAR_WIDTH, done * BAR_WIDTH / total);
        return "[" + "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled) + "]";
    }

    static String percent(long done, long total) {
        return total <= 0 ? "100 %" : String.format(Locale.ROOT, "%d %%", done * 100 / total);
    }

    /** A phase in progress; {@link #close()} stops its ticks (and ends a terminal's redrawn line). */
    final class Progress implements AutoCloseable {
        private final String label;
        private final long total;
        private final LongSupplier done;
        private final String unit;
        private final ScheduledFuture<?> ticks;
        private long lastShown = -1;
        private boolean closed;

        private Progress(String label, long total, LongSupplier done, String unit) {
            this.label = label;
            this.total = total;
            this.done = done;
            this.unit = unit;
            Duration tick = terminal ? TTY_TICK : PLAIN_TICK;
            this.ticks = ticker.scheduleAtFixedRate(this::show, tick.toMillis(), tick.toMillis(), TimeUnit.MILLISECONDS);
        }

        private void show() {
            synchronized (DemoTimeline.this) {
                if (closed) {
                    return;
                }
                long now = Math.min(done.getAsLong(), total);
                String text = String.format(Locale.ROOT, "%s%s (%,d/%,d %s)", terminal ? bar(now, total) + " " : "",
                        percent(now, total), now, total, unit);
                if (terminal) {
                    out.print("\r" + line(label, text));
                    out.flush();
                } else if (now != lastShown) {
                    out.println(line(label, text));
                    out.flush();
                }
                lastShown = now;
            }
        }

        @Override
        public void close() {
            ticks.cancel(false);
            synchronized (DemoTimeline.this) {
                if (!closed && terminal && lastShown >= 0) {
                    // The bar's final state stays above the next step, which starts on a line of its own.
                    show();
                    out.println();
                    out.flush();
                }
                closed = true;
            }
        }
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }
}
