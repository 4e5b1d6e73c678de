package io.kickoff.simulator;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Collection;
import java.util.OptionalDouble;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * Issue-to-receipt latencies of one stage update over some devices, in microseconds: an HdrHistogram
 * with 3 significant digits plus the exact maximum. Histograms of several fleets (client processes)
 * merge into the histogram of all their devices, so percentiles over every device need no list of
 * every latency.
 *
 * <p>Percentiles are by nearest rank (the value at rank ⌈p/100 · n⌉ of the sorted latencies), within
 * the histogram's precision: at most 0.1% above the exact value, and never above the exact maximum.
 * Immutable once built.
 */
public final class LatencyHistogram {
    /** Significant decimal digits of every histogram: values within 0.1%. */
    public static final int SIGNIFICANT_DIGITS = 3;

    private final Histogram micros;
    private final long maxMicros;

    private LatencyHistogram(Histogram micros, long maxMicros) {
        this.micros = micros;
        this.maxMicros = maxMicros;
    }

    /** Latencies of no device. */
    public static LatencyHistogram empty() {
        return new LatencyHistogram(new Histogram(SIGNIFICANT_DIGITS), 0);
    }

    /** The histogram of these latencies (microseconds, each >= 0). */
    public static LatencyHistogram of(long... latenciesMicros) {
        Recorder recorder = new Recorder();
        for (long latency : latenciesMicros) {
            recorder.record(latency);
        }
        return recorder.build();
    }

    /**
     * Reads a histogram written by {@link #encoded()}.
     *
     * @param maxMicros the exact maximum written beside it
     * @throws IllegalArgumentException if {@code encoded} is not such a histogram, or its count and
     *                                  maximum disagree
     */
    public static LatencyHistogram decode(String encoded, long maxMicros) {
        Histogram histogram;
        try {
            histogram = Histogram.decodeFromCompressedByteBuffer(
                    ByteBuffer.wrap(Base64.getDecoder().decode(encoded)), 0);
        } catch (DataFormatException | RuntimeException e) {
            throw new IllegalArgumentException("not a base64 compressed HdrHistogram: " + e.getMessage(), e);
        }
        if (maxMicros < 0 || (histogram.getTotalCount() > 0
                && !histogram.valuesAreEquivalent(histogram.getMaxValue(), maxMicros))) {
            throw new IllegalArgumentException("maximum " + maxMicros + " us does not match the histogram's "
                    + histogram.getMaxValue() + " us");
        }
        return new LatencyHistogram(histogram, histogram.getTotalCount() == 0 ? 0 : maxMicros);
    }

    /** The histogram of every device of all of them. */
    public static LatencyHistogram merge(Collection<LatencyHistogram> parts) {
        Histogram all = new Histogram(SIGNIFICANT_DIGITS);
        long max = 0;
        for (LatencyHistogram part : parts) {
            all.add(part.micros);
            max = Math.max(max, part.maxMicros);
        }
        return new LatencyHistogram(all, max);
    }

    /** Devices counted. */
    public long count() {
        return micros.getTotalCount();
    }

    /** The exact largest latency, 0 if none. */
    public long maxMicros() {
        return maxMicros;
    }

    /** The nearest-rank percentile {@code p} (0 < p <= 100) in milliseconds; empty if no device is counted. */
    public OptionalDouble percentileMillis(double p) {
        if (count() == 0) {
            return OptionalDouble.empty();
        }
        // A bucket's top may lie above the exact maximum: keep p50 <= p99 <= max.
        return OptionalDouble.of(Math.min(micros.getValueAtPercentile(p), maxMicros) / 1000.0);
    }

    /** The exact maximum in milliseconds; empty if no device is counted. */
    public OptionalDouble maxMillis() {
        return count() == 0 ? OptionalDouble.empty() : OptionalDouble.of(maxMicros / 1000.0);
    }

    /** The histogram in HdrHistogram's compressed encoding, base64 (a few hundred bytes); see {@link #decode}. */
    public String encoded() {
        ByteBuffer buffer = ByteBuffer.allocate(micros.getNeededByteBufferCapacity());
        int length = micros.encodeIntoCompressedByteBuffer(buffer);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length));
    }

    /** Collects latencies one by one; single-threaded. */
    public static final class Recorder {
        private final Histogram micros = new Histogram(SIGNIFICANT_DIGITS);
        private long maxMicros;

        /** Counts one device's latency; a negative one (a gateway clock ahead of ours) counts as instant. */
        public Recorder record(long latencyMicros) {
            long latency = Math.max(0, latencyMicros);
            micros.recordValue(latency);
            maxMicros = Math.max(maxMicros, latency);
            return this;
        }

        public LatencyHistogram build() {
            return new LatencyHistogram(micros.copy(), maxMicros);
        }
    }
}
