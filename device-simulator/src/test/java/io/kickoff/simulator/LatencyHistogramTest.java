package io.kickoff.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    /** The value at rank ⌈p/100 · n⌉ of the sorted values, in ms: what the benches defined p50 and p99 as. */
    private static double nearestRankMillis(long[] micros, double p) {
        long[] sorted = micros.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.max(1, Math.ceil(p / 100 * sorted.length));
        return sorted[rank - 1] / 1000.0;
    }

    private static long[] latencies(long seed, int n, long bound) {
        return new SplittableRandom(seed).longs(n, 0, bound).toArray();
    }

    @Test
    void mergedPercentilesAreThoseOfTheUnionWithinPrecision() {
        long[] first = latencies(1, 7_001, 400_000);
        long[] second = latencies(2, 3_333, 2_000_000);
        LatencyHistogram merged = LatencyHistogram.merge(List.of(LatencyHistogram.of(first), LatencyHistogram.of(second)));
        long[] union = LongStream.concat(Arrays.stream(first), Arrays.stream(second)).toArray();

        assertThat(merged.count()).isEqualTo(union.length);
        for (double p : new double[] {50, 99, 99.9, 100}) {
            double exact = nearestRankMillis(union, p);
            // 3 significant digits: at most 0.1 % off, never below the exact value's bucket.
            assertThat(merged.percentileMillis(p).getAsDouble()).as("p%s", p).isCloseTo(exact, within(exact * 0.001 + 0.001));
        }
        assertThat(merged.maxMillis().getAsDouble()).isEqualTo(Arrays.stream(union).max().getAsLong() / 1000.0);
    }

    @Test
    void percentilesNeverExceedTheExactMaximum() {
        LatencyHistogram one = LatencyHistogram.of(123_457);
        assertThat(one.percentileMillis(50).getAsDouble()).isEqualTo(123.457);
        assertThat(one.percentileMillis(99).getAsDouble()).isEqualTo(123.457);
        assertThat(one.maxMillis().getAsDouble()).isEqualTo(123.457);
    }

    @Test
    void encodingRoundTripsAndBadInputIsRefused() {
        long[] values = latencies(3, 5_000, 1_000_000);
        LatencyHistogram histogram = LatencyHistogram.of(values);
        LatencyHistogram read = LatencyHistogram.decode(histogram.encoded(), histogram.maxMicros());
        assertThat(read.count()).isEqualTo(5_000);
        assertThat(read.percentileMillis(99)).isEqualTo(histogram.percentileMillis(99));
        assertThat(read.maxMicros()).isEqualTo(histogram.maxMicros());

        assertThatThrownBy(() -> LatencyHistogram.decode("not base64!", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LatencyHistogram.decode("AAAA", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LatencyHistogram.decode(histogram.encoded(), histogram.maxMicros() * 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maximum");
    }

    @Test
    void anEmptyHistogramHasNoFigures() {
        LatencyHistogram empty = LatencyHistogram.decode(LatencyHistogram.empty().encoded(), 0);
        assertThat(empty.count()).isZero();
        assertThat(empty.percentileMillis(50)).isEmpty();
        assertThat(empty.maxMillis()).isEmpty();
    }

    @Test
    void negativeLatenciesCountAsInstant() {
        LatencyHistogram clockAhead = new LatencyHistogram.Recorder().record(-500).record(1_000).build();
        assertThat(clockAhead.count()).isEqualTo(2);
        assertThat(clockAhead.percentileMillis(50).getAsDouble()).isZero();
    }
}
