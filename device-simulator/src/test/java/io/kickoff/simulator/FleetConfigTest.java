package io.kickoff.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kickoff.protocol.token.DeviceClaims;
import io.kickoff.protocol.token.DeviceTokens;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
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
    void signedDevicesAreNamedByPrefixAndEachPresentsATokenForItsOwnIdAndSegment() throws Exception {
        DeviceTokens signer = DeviceTokens.withSecret("fleet-config-test-secret-0123456789abcdef");
        FleetConfig config = FleetConfig.builder().gateway("ws://gw:80").devices(4)
                .signedDevices("tv-", "br-pt-adult", signer, Duration.ofMinutes(10)).build();

        assertThat(config.deviceIds().apply(3)).isEqualTo("tv-3");
        DeviceClaims claims = signer.verify(config.tokens().apply(3));
        assertThat(claims.deviceId()).isEqualTo("tv-3");
        assertThat(claims.segment()).isEqualTo("br-pt-adult");
        assertThat(claims.expiresAt()).isBetween(Instant.now().plus(Duration.ofMinutes(9)), Instant.now().plus(Duration.ofMinutes(11)));
    }

    @Test
    void tokenQueryIsAppendedAndEncoded() {
        assertThat(DeviceDialer.withTokenQuery(URI.create("ws://gw:80/v1/connect"), "a+b/c"))
                .isEqualTo(URI.create("ws://gw:80/v1/connect?token=a%2Bb%2Fc"));
        assertThat(DeviceDialer.withTokenQuery(URI.create("ws://gw:80/v1/connect?x=1"), "t"))
                .isEqualTo(URI.create("ws://gw:80/v1/connect?x=1&token=t"));
    }

    @Test
    void misbehaviourOptionsAreValidated() {
        FleetConfig.Builder base = FleetConfig.builder().gateway("ws://gw:80").tokens(i -> "t");
        assertThatThrownBy(() -> base.missJitter(java.time.Duration.ofMillis(-1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missJitter");
        assertThatThrownBy(() -> FleetConfig.builder().gateway("ws://gw:80").tokens(i -> "t")
                .slowReaderStall(java.time.Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("slowReaderStall");
        FleetConfig config = FleetConfig.builder().gateway("ws://gw:80").tokens(i -> "t").devices(10)
                .misbehaviours(MisbehaviourPlan.parse("silent=0.2,garbage=0.1"))
                .clockSkew(java.time.Duration.ofMinutes(-5)).build();
        assertThat(config.devicesExpectedToWelcome()).isEqualTo(8);
        assertThat(config.misbehaviourOf(0)).isEmpty();
        assertThat(config.misbehaviourOf(9)).contains(Misbehaviour.GARBAGE);
        assertThat(config.misbehaviourOf(8)).contains(Misbehaviour.SILENT);
        assertThat(config.clockSkew()).isNegative();
    }
}
