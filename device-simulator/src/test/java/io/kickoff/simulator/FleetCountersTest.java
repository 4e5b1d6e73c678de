package io.kickoff.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FleetCountersTest {

    @Test
    void outcomesAreKeptPerKindWellBehavedFirstAndEveryPlannedKindListed() {
        MisbehaviourPlan plan = MisbehaviourPlan.parse("silent=0.1,reconnect-storm=0.2");
        FleetCounters counters = new FleetCounters();
        counters.closed(Optional.of(Misbehaviour.SILENT), 1008);
        counters.closed(Optional.of(Misbehaviour.SILENT), 1008);
        counters.refused(Optional.of(Misbehaviour.RECONNECT_STORM), 503, true);
        counters.refused(Optional.of(Misbehaviour.RECONNECT_STORM), 503, false);
        counters.reconnected(Optional.of(Misbehaviour.RECONNECT_STORM));
        counters.welcomed(Optional.empty());

        Map<String, DeviceOutcomes> outcomes = counters.outcomes(plan, 10);
        assertThat(outcomes.keySet()).containsExactly("well-behaved", "reconnect-storm", "silent");
        assertThat(outcomes.get("well-behaved")).isEqualTo(new DeviceOutcomes("well-behaved", 7, Map.of(), Map.of(), 0, 0, 1));
        assertThat(outcomes.get("silent").closes(1008)).isEqualTo(2);
        assertThat(outcomes.get("silent").devices()).isEqualTo(1);
        DeviceOutcomes storm = outcomes.get("reconnect-storm");
        assertThat(storm.devices()).isEqualTo(2);
        assertThat(storm.refusals(503)).isEqualTo(2);
        assertThat(storm.refusalsWithRetryAfter()).isEqualTo(1);
        assertThat(storm.reconnects()).isEqualTo(1);
    }

    @Test
    void bundleCacheFiguresAddUp() {
        FleetCounters counters = new FleetCounters();
        counters.hit();
        counters.miss(false);
        counters.miss(true);
        counters.fetched();
        counters.notModified();
        counters.fetchFailed();
        assertThat(counters.bundleCache()).isEqualTo(new BundleCacheFigures(1, 2, 1, 1, 1, 1));
    }
}
