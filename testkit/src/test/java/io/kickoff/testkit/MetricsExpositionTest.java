package io.kickoff.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The exposition check finds each kind of fault it is there to find, and passes a clean exposition. */
class MetricsExpositionTest {
    static final String CLEAN = """
            # HELP kickoff_x_sent_total things sent
            # TYPE kickoff_x_sent_total counter
            kickoff_x_sent_total{node="n1",route="/v1/events/{id}"} 3.0
            # HELP kickoff_x_latency_seconds how long
            # TYPE kickoff_x_latency_seconds histogram
            kickoff_x_latency_seconds_bucket{node="n1",le="0.1"} 1
            kickoff_x_latency_seconds_bucket{node="n1",le="+Inf"} 2
            kickoff_x_latency_seconds_count{node="n1"} 2
            kickoff_x_latency_seconds_sum{node="n1"} 0.3
            # HELP kickoff_x_depth entries waiting
            # TYPE kickoff_x_depth gauge
            kickoff_x_depth{node="n1",why="a \\"quoted\\" word"} 0
            """;

    @Test
    void aCleanExpositionHasNoProblemAndItsSamplesAreReadable() {
        MetricsExposition clean = MetricsExposition.parse(CLEAN);
        assertThat(clean.problems()).isEmpty();
        assertThat(clean.value("kickoff_x_sent_total", "route", "/v1/events/{id}")).isEqualTo(3);
        assertThat(clean.value("kickoff_x_latency_seconds_bucket", "le", "+Inf")).isEqualTo(2);
        assertThat(clean.value("kickoff_x_depth", "why", "a \"quoted\" word")).isZero();
        assertThat(clean.families().get("kickoff_x_latency_seconds").type()).isEqualTo("histogram");
    }

    @Test
    void findsAFamilyWithoutHelpOrType() {
        assertThat(MetricsExposition.parse("# TYPE a_total counter\na_total 1\n").problems())
                .anySatisfy(p -> assertThat(p).contains("a_total: no help text"));
        assertThat(MetricsExposition.parse("a_thing 1\n").problems())
                .anySatisfy(p -> assertThat(p).contains("of no declared family"));
    }

    @Test
    void findsACounterNotEndingInTotalAndAGaugeThatLooksLikeOne() {
        assertThat(MetricsExposition.parse("# HELP a_sent sent\n# TYPE a_sent counter\na_sent 1\n").problems())
                .anySatisfy(p -> assertThat(p).contains("must end in _total"));
        assertThat(MetricsExposition.parse("# HELP a_sent_total sent\n# TYPE a_sent_total gauge\na_sent_total 1\n").problems())
                .anySatisfy(p -> assertThat(p).contains("gauge named like a counter"));
    }

    @Test
    void findsClientSideQuantiles() {
        String summary = """
                # HELP a_fanout_seconds fan-out
                # TYPE a_fanout_seconds summary
                a_fanout_seconds{quantile="0.99"} 0.1
                a_fanout_seconds_count 1
                a_fanout_seconds_sum 0.1
                """;
        assertThat(MetricsExposition.parse(summary).problems()).anySatisfy(p -> assertThat(p).contains("client-side quantiles"));
    }

    @Test
    void findsScaledUnitsAndTimesWithoutSeconds() {
        assertThat(MetricsExposition.parse("# HELP a_latency_ms t\n# TYPE a_latency_ms gauge\na_latency_ms 1\n").problems())
                .anySatisfy(p -> assertThat(p).contains("scaled or abbreviated unit"));
        assertThat(MetricsExposition.parse("# HELP a_oldest_age t\n# TYPE a_oldest_age gauge\na_oldest_age 1\n").problems())
                .anySatisfy(p -> assertThat(p).contains("without its unit"));
        assertThat(MetricsExposition.parse("# HELP a_size t\n# TYPE a_size histogram\na_size_bucket{le=\"+Inf\"} 1\n"
                + "a_size_count 1\na_size_sum 1\n").problems())
                .anySatisfy(p -> assertThat(p).contains("histogram without its unit"));
    }

    @Test
    void findsBrokenLinesAndRepeatedSamples() {
        assertThat(MetricsExposition.parse("# HELP a t\n# TYPE a gauge\na{x=\"1} 1\n").problems())
                .anySatisfy(p -> assertThat(p).contains("line 3"));
        assertThat(MetricsExposition.parse("# HELP a t\n# TYPE a gauge\na one\n").problems())
                .anySatisfy(p -> assertThat(p).contains("not a number"));
        assertThat(MetricsExposition.parse("# HELP a t\n# TYPE a gauge\na{x=\"1\"} 1\na{x=\"1\"} 2\n").problems())
                .anySatisfy(p -> assertThat(p).contains("given twice"));
        assertThat(MetricsExposition.parse("# HELP a_seconds t\n# TYPE a_seconds histogram\na_seconds_bucket{le=\"1\"} 1\n"
                + "a_seconds_count 1\na_seconds_sum 1\n").problems())
                .anySatisfy(p -> assertThat(p).contains("+Inf"));
    }
}
