package io.kickoff.gateway.it;

import static org.awaitility.Awaitility.await;

import io.kickoff.bus.KafkaBusConfig;
import io.kickoff.bus.KafkaEventBus;
import io.kickoff.gateway.Gateway;
import io.kickoff.gateway.GatewayConfig;
import io.kickoff.protocol.Timestamps;
import io.kickoff.protocol.token.DeviceTokens;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.StageUpdate;
import io.kickoff.simulator.DeviceFleet;
import io.kickoff.simulator.FleetConfig;
import io.kickoff.testkit.TestKafka;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gateways on a test's real Kafka, and the buses, devices and fleets a test opens against them.
 * Everything opened here, and whatever a test hands to {@link #closeAfter}, is closed after each
 * test, last opened first. Register it per test instance, after the class's {@link TestKafka}:
 * <pre>
 *   &#64;RegisterExtension static final TestKafka kafka = new TestKafka();
 *   &#64;RegisterExtension final GatewaysOnKafka gateways = new GatewaysOnKafka(kafka, TOKENS);
 * </pre>
 */
final class GatewaysOnKafka implements AfterEachCallback {
    /** How long a gateway may take to become ready. */
    static final Duration READY_WITHIN = Duration.ofSeconds(60);

    private final TestKafka kafka;
    private final DeviceTokens tokens;
    private final List<AutoCloseable> opened = new ArrayList<>();

    GatewaysOnKafka(TestKafka kafka, DeviceTokens tokens) {
        this.kafka = kafka;
        this.tokens = tokens;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        opened.clear();
    }

    /** Closes {@code closeable} after the test. */
    <T extends AutoCloseable> T closeAfter(T closeable) {
        opened.add(closeable);
        return closeable;
    }

    /** A bus on the test's Kafka. */
    KafkaEventBus bus(String clientId) {
        return closeAfter(new KafkaEventBus(KafkaBusConfig.of(kafka.bootstrapServers()).withClientId(clientId)));
    }

    /**
     * Starts a gateway on 127.0.0.1, an ephemeral port (unless {@code settings} names one) and a bus of
     * its own, without waiting for it to be ready.
     */
    Gateway start(String node, UnaryOperator<GatewayConfig.Builder> settings) throws Exception {
        GatewayConfig config = settings.apply(GatewayConfig.builder().host("127.0.0.1").port(0).nodeId(node).warmUp(GatewayConfig.WarmUp.OFF)).build();
        return closeAfter(Gateway.start(config, tokens, bus(node), Clock.systemUTC()));
    }

    /** {@link #start}, then waits until the gateway is ready. */
    Gateway startReady(String node, UnaryOperator<GatewayConfig.Builder> settings) throws Exception {
        Gateway gateway = start(node, settings);
        await().atMost(READY_WITHIN).until(gateway::isReady);
        return gateway;
    }

    static URI uri(Gateway gateway) {
        return URI.create("ws://127.0.0.1:" + gateway.port() + "/v1/connect");
    }

    /** A token for {@code device} in segment {@code us-en}, valid for an hour. */
    String token(String device) {
        return tokens.issue(device, "us-en", Duration.ofHours(1));
    }

    /** A device connected (upgraded, not greeted) to {@code gateway}. */
    RawDevice device(Gateway gateway, String id) {
        RawDevice device = RawDevice.connect(uri(gateway), token(id));
        closeAfter(() -> device.socket.abort());
        return device;
    }

    /** A fleet of {@code devices} named {@code prefix0, prefix1, ...} over {@code gateways}, not yet connected. */
    DeviceFleet fleet(List<URI> gateways, int devices, String prefix) {
        return fleet(gateways, devices, prefix, b -> b);
    }

    DeviceFleet fleet(List<URI> gateways, int devices, String prefix, UnaryOperator<FleetConfig.Builder> settings) {
        return closeAfter(DeviceFleet.open(settings.apply(FleetConfig.builder().gateways(gateways).devices(devices)
                .deviceIds(i -> prefix + i).tokens(i -> token(prefix + i))).build()));
    }

    static StageUpdate update(String eventId, Stage stage, long seq) {
        return StageUpdate.newBuilder().setEventId(eventId).setStage(stage).setSeq(seq)
                .setIssuedAt(Timestamps.of(Instant.now())).setReason("manual").build();
    }
}
