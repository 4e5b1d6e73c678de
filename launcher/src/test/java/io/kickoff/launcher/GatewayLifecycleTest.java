package io.kickoff.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.gateway.Gateway;
import io.kickoff.gateway.testing.TestGateways;
import io.kickoff.protocol.token.DeviceTokens;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class GatewayLifecycleTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    final TestGateways gateways = TestGateways.inProcess(DeviceTokens.withSecret("gateway-lifecycle-test-secret-0123456789"));

    @Test
    void whenReadyCompletesOnceTheGatewayHasReadTheStateOfTheWorld() throws Exception {
        Gateway gateway = gateways.start("gw-ready", b -> b);
        CompletableFuture<Void> ready = gateway.whenReady();

        assertThat(ready).succeedsWithin(WAIT);
        assertThat(gateway.isReady()).isTrue();
        GatewayLifecycle.awaitReady(gateway, WAIT); // returns at once
        assertThat(gateway.whenReady()).isCompleted();
    }
}
