package io.kickoff.gateway.testing;

import io.kickoff.bus.EventBus;
import io.kickoff.bus.InProcessEventBus;
import io.kickoff.bus.KafkaBusConfig;
import io.kickoff.bus.KafkaEventBus;
import io.kickoff.bus.Topic;
import io.kickoff.gateway.Gateway;
import io.kickoff.gateway.GatewayConfig;
import io.kickoff.protocol.Timestamps;
import io.kickoff.protocol.token.DeviceTokens;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.StageUpdate;
import io.kickoff.simulator.DeviceFleet;
import io.kickoff.simulator.FleetConfig;
import io.kickoff.testkit.TestKafka;
import io.kickoff.testkit.TestResources;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * Gateways for a test, on a real Kafka ({@link #onKafka}) or on one in-process bus ({@link #inProcess}),
 * and the buses, devices and fleets a test opens against them; everything is closed for the test
 * ({@link TestResources}). Register it after the class's {@link TestKafka}:
 * <pre>
 *   &#64;RegisterExtension static final TestKafka kafka = new TestKafka();
 *   &#64;RegisterExtension final TestGateways gateways = TestGateways.onKafka(kafka, TOKENS);
 * </pre>
 *
 * <p>A gateway's own timers (ack timeout and redelivery, drain window, upgrade and hello timeouts)
 * run on its Netty event loops, on real time: tests give them short settings. Unit tests drive
 * them on an {@code EmbeddedChannel}'s clock instead.
 */
public final class TestGateways extends TestResources {
    /** How long a gateway may take to become ready. */
    public static final Duration READY_WITHIN = Duration.ofSeconds(60);
    /** The segment of the devices {@link #token} and {@link #fleet} sign for. */
    public static final String SEGMENT = "us-en";

    private final DeviceTokens tokens;
    /** Null: gateways share one in-process bus. */
    private final TestKafka kafka;
    private InProcessEventBus inProcess;

    private TestGateways(DeviceTokens tokens, TestKafka kafka) {
        this.tokens = tokens;
        this.kafka = kafka;
    }

    /** Gateways that each have a bus of their own on the test's Kafka, as separate processes would. */
    public static TestGateways onKafka(TestKafka kafka, DeviceTokens tokens) {
        return new TestGateways(tokens, java.util.Objects.requireNonNull(kafka, "kafka"));
    }

    /** Gateways on one in-process bus, which {@link #bus} also returns, so the test publishes where they listen. */
    public static TestGateways inProcess(DeviceTokens tokens) {
        return new TestGateways(tokens, null);
    }

    /** A bus named {@code clientId}, closed for the test: on Kafka a new one, in-process the shared one. */
    public synchronized EventBus bus(String clientId) {
        if (kafka != null) {
            return closeAfter(new KafkaEventBus(KafkaBusConfig.of(kafka.bootstrapServers()).withClientId(clientId)));
        }
        if (inProcess == null) {
            InProcessEventBus bus = new InProcessEventBus();
            inProcess = bus;
            closeAfter(() -> {
                synchronized (this) {
                    inProcess = null;
                }
                bus.close();
            });
        }
        return inProcess;
    }

    /**
     * Starts a gateway on 127.0.0.1, an ephemeral port (unless {@code settings} names one), with no warm-up,
     * on its bus (its own on Kafka, the shared one in-process), without waiting for it to be ready.
     */
    public Gateway start(String node, UnaryOperator<GatewayConfig.Builder> settings) throws Exception {
        GatewayConfig config = settings.apply(GatewayConfig.builder().host("127.0.0.1").port(0).nodeId(node)
                .warmUp(GatewayConfig.WarmUp.OFF)).build();
        return closeAfter(Gateway.start(config, tokens, bus(node), Clock.systemUTC()));
    }

    /** {@link #start}, then waits until the gateway is ready. */
    public Gateway startReady(String node, UnaryOperator<GatewayConfig.Builder> settings) throws Exception {
        Gateway gateway = start(node, settings);
        gateway.whenReady().get(READY_WITHIN.toSeconds(), TimeUnit.SECONDS);
        return gateway;
    }

    /** The device socket of {@code gateway}. */
    public static URI uri(Gateway gateway) {
        return URI.create("ws://127.0.0.1:" + gateway.port() + "/v1/connect");
    }

    public DeviceTokens tokens() {
        return tokens;
    }

    /** A token for {@code device} in {@link #SEGMENT}, valid for an hour. */
    public String token(String device) {
        return tokens.issue(device, SEGMENT, Duration.ofHours(1));
    }

    /** A device connected (upgraded, not greeted) to {@code gateway}, over the JSON sub-protocol. */
    public RawDevice device(Gateway gateway, String id) {
        RawDevice device = RawDevice.connect(uri(gateway), token(id));
        closeAfter(() -> device.socket.abort());
        return device;
    }

    /** A fleet of {@code devices} named {@code prefix0, prefix1, ...} in {@link #SEGMENT} over {@code gateways}, not yet connected. */
    public DeviceFleet fleet(List<URI> gateways, int devices, String prefix) {
        return fleet(gateways, devices, prefix, b -> b);
    }

    public DeviceFleet fleet(List<URI> gateways, int devices, String prefix, UnaryOperator<FleetConfig.Builder> settings) {
        return fleet(gateways, devices, prefix, SEGMENT, settings);
    }

    /** As {@link #fleet(List, int, String)}, in {@code segment}, with {@code settings} applied last. */
    public DeviceFleet fleet(List<URI> gateways, int devices, String prefix, String segment,
                             UnaryOperator<FleetConfig.Builder> settings) {
        return closeAfter(DeviceFleet.open(settings.apply(FleetConfig.builder().gateways(gateways).devices(devices)
                .signedDevices(prefix, segment, tokens, Duration.ofHours(1))).build()));
    }

    /** A manual stage update issued now. */
    public static StageUpdate update(String eventId, Stage stage, long seq) {
        return StageUpdate.newBuilder().setEventId(eventId).setStage(stage).setSeq(seq)
                .setIssuedAt(Timestamps.of(Instant.now())).setReason("manual").build();
    }

    /** Publishes the updates on {@code bus}, in order, and waits until the bus has taken them all. */
    public static void publish(EventBus bus, StageUpdate... updates) {
        List<CompletableFuture<Void>> taken = new ArrayList<>();
        for (StageUpdate update : updates) {
            taken.add(bus.publish(Topic.STAGES, update.getEventId(), update.toByteArray()));
        }
        CompletableFuture.allOf(taken.toArray(CompletableFuture[]::new)).orTimeout(30, TimeUnit.SECONDS).join();
    }
}
