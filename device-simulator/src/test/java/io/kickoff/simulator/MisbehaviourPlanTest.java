package io.kickoff.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MisbehaviourPlanTest {

    @Test
    void parsesEveryKindAndPrintsBackTheSameSpec() {
        MisbehaviourPlan plan = MisbehaviourPlan.parse(
                "slow-reader=0.01, garbage=0.01,reconnect-storm=0.05,clock-skew=0.1,silent=0.01");
        assertThat(plan.shares()).containsOnlyKeys(Misbehaviour.values());
        assertThat(MisbehaviourPlan.parse(plan.toString())).isEqualTo(plan);
        assertThat(MisbehaviourPlan.parse(" ")).isEqualTo(MisbehaviourPlan.NONE);
    }

    @Test
    void sharesBecomeDeviceCountsTakenFromTheEndOfTheFleet() {
        MisbehaviourPlan plan = MisbehaviourPlan.parse("slow-reader=0.1,silent=0.2");
        assertThat(plan.count(Misbehaviour.SLOW_READER, 100)).isEqualTo(10);
        assertThat(plan.count(Misbehaviour.SILENT, 100)).isEqualTo(20);
        assertThat(plan.wellBehaved(100)).isEqualTo(70);
        Map<Optional<Misbehaviour>, Integer> tally = new java.util.HashMap<>();
        for (int i = 0; i < 100; i++) {
            tally.merge(plan.of(i, 100), 1, Integer::sum);
        }
        assertThat(tally).containsExactlyInAnyOrderEntriesOf(Map.of(Optional.empty(), 70,
                Optional.of(Misbehaviour.SLOW_READER), 10, Optional.of(Misbehaviour.SILENT), 20));
        assertThat(plan.of(69, 100)).isEmpty();
        assertThat(plan.of(99, 100)).contains(Misbehaviour.SLOW_READER);
        assertThat(plan.of(70, 100)).contains(Misbehaviour.SILENT);
    }

    @Test
    void aShareAboveZeroGetsAtLeastOneDevice() {
        MisbehaviourPlan plan = MisbehaviourPlan.parse("garbage=0.001");
        assertThat(plan.count(Misbehaviour.GARBAGE, 10)).isEqualTo(1);
        assertThat(plan.of(9, 10)).contains(Misbehaviour.GARBAGE);
        assertThat(plan.count(Misbehaviour.GARBAGE, 0)).isZero();
    }

    @Test
    void badSpecsAreRefusedWithTheReason() {
        assertThatThrownBy(() -> MisbehaviourPlan.parse("sleepy=0.1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown misbehaviour 'sleepy'")
                .hasMessageContaining("slow-reader");
        assertThatThrownBy(() -> MisbehaviourPlan.parse("garbage"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("KIND=SHARE");
        assertThatThrownBy(() -> MisbehaviourPlan.parse("garbage=lots"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a number");
        assertThatThrownBy(() -> MisbehaviourPlan.parse("garbage=0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(0, 1]");
        assertThatThrownBy(() -> MisbehaviourPlan.parse("garbage=0.6,silent=0.6"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("more than the whole fleet");
        assertThatThrownBy(() -> MisbehaviourPlan.parse("garbage=0.1,garbage=0.2"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("given twice");
        EnumMap<Misbehaviour, Double> shares = new EnumMap<>(Misbehaviour.class);
        shares.put(Misbehaviour.SILENT, 1.5);
        assertThatThrownBy(() -> new MisbehaviourPlan(shares)).isInstanceOf(IllegalArgumentException.class);
    }
}
