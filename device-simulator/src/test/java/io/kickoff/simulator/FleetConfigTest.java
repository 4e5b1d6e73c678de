package io.kickoff.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

class FleetConfigTest {

    @Test
    void gatewayWithoutPathGetsTheConnectPath() {
        FleetConfig config = FleetConfig.builder().gateway("ws://127.0.0.1:8080").tokens(i -> "t").build();
        assertThat(config.gateways()).containsExactly(URI.create("ws://127.0.0.1:8080/v1/connect"));
    }

    @Test
    void gatewayWithPathIsKept() {
        FleetConfig config = FleetConfig.builder().gateway("ws://gw:9000/custom/connect").tokens(i -> "t").build();
        assertThat(config.gateways()).containsExactly(URI.create("ws://gw:9000/custom/connect"));
    }

    @Test
    void wssGatewaysAndHttpsBundleApisAreTakenOtherSchemesRefused() {
        FleetConfig config = FleetConfig.builder().gateway("wss://gw:443").bundleApi(URI.create("https://api:8443"))
                .tokens(i -> "t").build();
        assertThat(config.gateways()).containsExactly(URI.create("wss://gw:443/v1/connect"));
        assertThat(config.bundleApi()).isEqualTo(URI.create("https://api:8443/v1/bundles"));
        assertThatThrownBy(() -> FleetConfig.builder().gateway("https://gw:443").tokens(i -> "t").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("gateway URI must be ws:// or wss://: https://gw:443");
    }

    @Test
    void aMissingTokenFunctionIsRefused() {
        assertThatThrownBy(() -> FleetConfig.builder().gateway("ws://gw:80").build())
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("tokens");
    }

    @Test
    void tokenQueryIsAppendedAndEncoded() {
        assertThat(DeviceDialer.withTokenQuery(URI.create("ws://gw:80/v1/connect"), "a+b/c"))
                .isEqualTo(URI.create("ws://gw:80/v1/connect?token=a%2Bb%2Fc"));
        assertThat(DeviceDialer.withTokenQuery(URI.create("ws://gw:80/v1/connect?x=1"), "t"))
                .isEqualTo(URI.create("ws://gw:80/v1/connect?x=1&token=t"));
    }
}
