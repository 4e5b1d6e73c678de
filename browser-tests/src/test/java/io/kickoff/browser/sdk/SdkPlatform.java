package io.kickoff.browser.sdk;

import static org.awaitility.Awaitility.await;

import com.google.protobuf.InvalidProtocolBufferException;
import io.kickoff.bus.InProcessEventBus;
import io.kickoff.bus.StartFrom;
import io.kickoff.bus.Topic;
import io.kickoff.gateway.Gateway;
import io.kickoff.gateway.GatewayConfig;
import io.kickoff.lsm.LiveStateManager;
import io.kickoff.lsm.api.AdminToken;
import io.kickoff.lsm.client.AdminClient;
import io.kickoff.lsm.client.NewEventRequest;
import io.kickoff.lsm.event.InMemoryEventStore;
import io.kickoff.lsm.idempotency.InMemoryIdempotency;
import io.kickoff.lsm.store.InMemoryLeaderLease;
import io.kickoff.prefetch.PrefetchService;
import io.kickoff.prefetch.bundle.InMemoryBundleStore;
import io.kickoff.prefetch.catalog.CatalogBlobStore;
import io.kickoff.prefetch.catalog.CatalogConsumer;
import io.kickoff.prefetch.catalog.CatalogPublisher;
import io.kickoff.prefetch.catalog.CatalogSource;
import io.kickoff.prefetch.http.BundleServerConfig;
import io.kickoff.protocol.token.DeviceTokens;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.Viewing;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * The platform on one in-process bus, as {@code kickoff serve --mode memory} wires it, with the gateway settings a
 * test needs (short ack timeout, a connection cap) and a gateway that can be stopped and started again on its port.
 */
final class SdkPlatform implements AutoCloseable {
    static final String SECRET = "browser-tests-secret-browser-tests-secret";
    static final String OPERATOR = "browser-operator";
    /** The example catalog's event and the segment the devices are in. */
    static final String EVENT = "ev-ufc-309";
    static final String SEGMENT = "us-en-adult";

    final DeviceTokens tokens = DeviceTokens.withSecret(SECRET);
    final InProcessEventBus bus = new InProcessEventBus();
    final LiveStateManager lsm;
    final AdminClient admin;
    final CatalogConsumer catalog;
    final PrefetchService prefetch;
    /** Every viewing signal the gateways published on {@code kickoff.viewing}, in order. */
    final List<Viewing> viewing = new CopyOnWriteArrayList<>();
    private final GatewayConfig gatewayConfig;
    private Gateway gateway;
    private int gatewayPort;

    /**
     * @param gatewaySettings changes to the gateway's settings (host, free port and no warm-up are set)
     * @param bundleApi       changes to the bundle API's settings (host and free port are set)
     */
    SdkPlatform(Path catalogDir, UnaryOperator<GatewayConfig.Builder> gatewaySettings,
                UnaryOperator<BundleServerConfig> bundleApi) throws InterruptedException {
        bus.subscribe(Topic.VIEWING, StartFrom.BEGINNING, record -> {
            try {
                viewing.add(Viewing.parseFrom(record.value()));
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("not a Viewing on " + Topic.VIEWING, e);
            }
        });
        lsm = LiveStateManager.start(LiveStateManager.Config.of("127.0.0.1", 0,
                        Map.of(OPERATOR, AdminToken.operator("producer")), "lsm-browser"),
                new InMemoryEventStore(), new InMemoryIdempotency(Clock.systemUTC()), new InMemoryLeaderLease(), bus,
                Clock.systemUTC());
        admin = new AdminClient(URI.create("http://127.0.0.1:" + lsm.adminPort()), OPERATOR);
        gatewayConfig = gatewaySettings.apply(GatewayConfig.builder().host("127.0.0.1").port(0).nodeId("gw-browser")
                .warmUp(GatewayConfig.WarmUp.OFF)).build();
        startGateway(0);
        CatalogPublisher.publish(catalogDir, CatalogSource.example());
        catalog = CatalogConsumer.open(CatalogBlobStore.existingDirectory(catalogDir));
        prefetch = PrefetchService.start(bundleApi.apply(BundleServerConfig.defaults().withHost("127.0.0.1").withPort(0)),
                catalog, new InMemoryBundleStore(), bus, tokens, Clock.systemUTC());
    }

    private void startGateway(int port) throws InterruptedException {
        gateway = Gateway.start(gatewayConfig.toBuilder().port(port).build(), tokens, bus, Clock.systemUTC());
        gatewayPort = gateway.port();
        await().atMost(Duration.ofSeconds(30)).until(gateway::isReady);
    }

    /** Stops the gateway (devices lose their connection at once), runs {@code meanwhile}, starts it on its port. */
    void restartGateway(Runnable meanwhile) throws InterruptedException {
        gateway.close();
        meanwhile.run();
        startGateway(gatewayPort);
    }

    Gateway gateway() {
        return gateway;
    }

    String gatewayUrl() {
        return "ws://127.0.0.1:" + gatewayPort + "/v1/connect";
    }

    String bundleApiUrl() {
        return "http://127.0.0.1:" + prefetch.port();
    }

    String token(String deviceId) {
        return tokens.issue(deviceId, SEGMENT, Duration.ofHours(1));
    }

    /** Schedules the example catalog's event for the devices' segment. */
    void createEvent() {
        admin.createEvent(NewEventRequest.of(EVENT, "UFC 309", Instant.now().plus(Duration.ofHours(2)))
                .withSegments(List.of(SEGMENT)));
    }

    /** The viewing signals of one device for one event, in the order the gateway published them. */
    List<Viewing> viewing(String deviceId, String eventId) {
        return viewing.stream().filter(v -> v.getDeviceId().equals(deviceId) && v.getEventId().equals(eventId)).toList();
    }

    void transition(Stage to) {
        admin.transition(EVENT, to);
    }

    @Override
    public void close() {
        prefetch.close();
        catalog.close();
        gateway.close();
        lsm.close();
        bus.close();
    }
}
