package io.kickoff.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kickoff.bus.InProcessEventBus;
import io.kickoff.protocol.token.DeviceTokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The warm-up runs real broadcasts on loopback devices, and none of it shows on the node that starts. */
class LoopbackWarmUpTest {
    static final GatewayConfig.WarmUp SMALL = new GatewayConfig.WarmUp(42, Duration.ofSeconds(3));

    GatewayConfig config(GatewayConfig.WarmUp warmUp) {
        return GatewayConfig.builder().host("127.0.0.1").port(0).nodeId("gw-warm").warmUp(warmUp).build();
    }

    @Test
    void everyLoopbackDeviceAcksEveryUpdateOfItsAudienceOnBothWireFormatsWhileDevicesComeAndGo() throws Exception {
        LoopbackWarmUp.Report report = LoopbackWarmUp.start(config(SMALL)).get(60, TimeUnit.SECONDS);

        // Every round's audience acked: all 42 devices, or the 22 in the two segments of every third round;
        // devices that came back also ack what their welcome's snapshot brings.
        assertThat(report.rounds()).isPositive();
        long expected = 0;
        for (int round = 1; round <= report.rounds(); round++) {
            expected += LoopbackWarmUp.audience(LoopbackWarmUp.update(round), 42);
        }
        assertThat(report.updatesAcked()).isGreaterThanOrEqualTo(expected);
        assertThat(LoopbackWarmUp.audience(LoopbackWarmUp.update(3), 42)).isEqualTo(22);
        assertThat(report.devices()).isEqualTo(42);
    }

    @Test
    void theNodeIsReadyOnlyAfterItsWarmUpAndShowsNoneOfItsTraffic() throws Exception {
        try (InProcessEventBus bus = new InProcessEventBus();
             Gateway gateway = Gateway.start(config(SMALL), DeviceTokens.withSecret("gateway-warm-up-secret-0123456789abcdef"),
                     bus, Clock.systemUTC())) {
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest readyz = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/readyz")).build();
            // The state of the world (an empty in-process bus) is read at once; the warm-up takes longer.
            assertThat(http.send(readyz, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(503);

            await().atMost(Duration.ofSeconds(60)).until(gateway::isReady);
            assertThat(http.send(readyz, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            assertThat(gateway.connectedDevices()).isZero();
            assertThat(gateway.metrics().count("kickoff_gateway_acks")).isZero();
            assertThat(gateway.metrics().count("kickoff_gateway_connects")).isZero();
            assertThat(gateway.metrics().count("kickoff_gateway_update_writes")).isZero();
        }
    }

    @Test
    void aNodeClosedBeforeItWasReadyFailsThoseWaitingForIt() throws Exception {
        CompletableFuture<Void> ready;
        try (InProcessEventBus bus = new InProcessEventBus();
             Gateway gateway = Gateway.start(config(SMALL), DeviceTokens.withSecret("gateway-warm-up-secret-0123456789abcdef"),
                     bus, Clock.systemUTC())) {
            ready = gateway.whenReady();
            assertThat(ready).isNotDone(); // still warming up
        }
        assertThat(ready).failsWithin(Duration.ofSeconds(5)).withThrowableThat().withMessageContaining("closed before it was ready");
    }

    @Test
    void aWarmUpPlanIsBothCountsOrNeither() {
        assertThat(GatewayConfig.WarmUp.OFF.isOff()).isTrue();
        assertThat(GatewayConfig.builder().build().warmUp()).isEqualTo(GatewayConfig.WarmUp.DEFAULT);
        assertThatThrownBy(() -> new GatewayConfig.WarmUp(10, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GatewayConfig.WarmUp(6_000, Duration.ofSeconds(4)))
                .hasMessageContaining("at most 5000");
    }
}
