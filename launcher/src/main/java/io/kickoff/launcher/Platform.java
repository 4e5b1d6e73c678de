package io.kickoff.launcher;

import io.kickoff.bus.EventBus;
import io.kickoff.bus.InProcessEventBus;
import io.kickoff.gateway.Gateway;
import io.kickoff.gateway.GatewayConfig;
import io.kickoff.lsm.LiveStateManager;
import io.kickoff.lsm.api.Role;
import io.kickoff.lsm.event.InMemoryEventStore;
import io.kickoff.protocol.token.DeviceTokens;
import java.time.Clock;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The whole platform on one node: bus, Live State Manager and gateway, wired for a mode. */
final class Platform implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Platform.class);

    private final EventBus bus;
    private final LiveStateManager lsm;
    private final Gateway gateway;
    private final DeviceTokens tokens;

    private Platform(EventBus bus, LiveStateManager lsm, Gateway gateway, DeviceTokens tokens) {
        this.bus = bus;
        this.lsm = lsm;
        this.gateway = gateway;
        this.tokens = tokens;
    }

    static Platform start(PlatformOptions options) throws InterruptedException {
        Clock clock = Clock.systemUTC();
        DeviceTokens tokens = DeviceTokens.withSecret(options.tokenSecret);
        EventBus bus = switch (options.mode) {
            case memory -> new InProcessEventBus();
        };
        LiveStateManager lsm = null;
        try {
            lsm = LiveStateManager.start(new LiveStateManager.Config(options.host, options.adminPort,
                    Map.of(options.adminToken, Role.OPERATOR)), new InMemoryEventStore(), bus, clock);
            Gateway gateway = Gateway.start(GatewayConfig.builder().host(options.host).port(options.gatewayPort)
                    .nodeId(options.nodeId).build(), tokens, bus, clock);
            if (options.usesDevelopmentSecrets()) {
                log.warn("using the development admin token or device-token secret: set KICKOFF_ADMIN_TOKEN and "
                        + "KICKOFF_TOKEN_SECRET for anything but a local trial");
            }
            return new Platform(bus, lsm, gateway, tokens);
        } catch (InterruptedException | RuntimeException e) {
            if (lsm != null) {
                lsm.close();
            }
            bus.close();
            throw e;
        }
    }

    LiveStateManager lsm() {
        return lsm;
    }

    Gateway gateway() {
        return gateway;
    }

    DeviceTokens tokens() {
        return tokens;
    }

    @Override
    public void close() {
        gateway.close();
        lsm.close();
        bus.close();
    }
}
