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

    @Test
    void viewingSettingsAreCheckedAndKeptByToBuilder() {
        GatewayConfig.ViewingSignals viewing = new GatewayConfig.ViewingSignals(
                java.time.Duration.ofSeconds(5), java.time.Duration.ofMillis(50), 10, 20);
        assertThat(GatewayConfig.builder().viewing(viewing).build().toBuilder().build().viewing()).isEqualTo(viewing);
        assertThat(GatewayConfig.builder().build().viewing()).isEqualTo(GatewayConfig.ViewingSignals.DEFAULT);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new GatewayConfig.ViewingSignals(
                java.time.Duration.ofSeconds(5), java.time.Duration.ofMillis(50), 30, 20)).hasMessageContaining("batchSize");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new GatewayConfig.ViewingSignals(
                java.time.Duration.ZERO, java.time.Duration.ofMillis(50), 10, 20)).hasMessageContaining("at least 1 ms");
    }
}
