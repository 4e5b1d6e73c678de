package io.kickoff.gateway;

import static io.kickoff.gateway.Fixtures.update;
import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.protocol.v1.Stage;
import org.junit.jupiter.api.Test;

class WorldStateTest {

    @Test
    void keepsOnlyNewerUpdates() {
        WorldState world = new WorldState();
        assertThat(world.apply(update("e", Stage.PREFETCH, 1))).isTrue();
        assertThat(world.apply(update("e", Stage.LIVE, 3))).isTrue();
        assertThat(world.apply(update("e", Stage.PRE_SHOW, 2))).isFalse();
        assertThat(world.apply(update("e", Stage.LIVE, 3))).isFalse();
        assertThat(world.get("e").getSeq()).isEqualTo(3);
        assertThat(world.size()).isEqualTo(1);
    }

}
