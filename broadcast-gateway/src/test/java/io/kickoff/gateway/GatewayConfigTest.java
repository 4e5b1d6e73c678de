package io.kickoff.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GatewayConfigTest {

    @Test
    void byDefaultThereIsOneEventLoopPerCore() {
        assertThat(GatewayConfig.builder().build().eventLoops()).isEqualTo(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void anExplicitEventLoopCountIsKept() {
        assertThat(GatewayConfig.builder().ioThreads(3).build().eventLoops()).isEqualTo(3);
    }
}
