package io.kickoff.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.bus.InProcessEventBus;
import io.kickoff.gateway.Gateway;
import io.kickoff.gateway.GatewayConfig;
import io.kickoff.protocol.token.DeviceTokens;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class GatewayLifecycleTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void whenReadyCompletesOnceTheGatewayHasReadTheStateOfTheWorld() throws Exception {
        try (InProcessEventBus bus = new InProcessEventBus();
                Gateway gateway = Gateway.start(GatewayConfig.builder().host("127.0.0.1").port(0).nodeId("gw-ready")
                        .warmUp(GatewayConfig.WarmUp.OFF).build(),
                        DeviceTokens.withSecret("gateway-lifecycle-test-secret-0123456789"), bus, Clock.systemUTC())) {
            CompletableFuture<Void> ready = gateway.whenReady();

            assertThat(ready).succeedsWithin(WAIT);
            assertThat(gateway.isReady()).isTrue();
            GatewayLifecycle.awaitReady(gateway, WAIT); // returns at once
            assertThat(gateway.whenReady()).isCompleted();
        }
    }
}
