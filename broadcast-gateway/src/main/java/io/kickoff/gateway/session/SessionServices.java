package io.kickoff.gateway.session;

import io.kickoff.gateway.GatewayConfig;
import io.kickoff.gateway.bundle.BundleDelivery;
import io.kickoff.gateway.delivery.DeliveryStats;
import io.kickoff.gateway.metrics.GatewayMetrics;
import io.kickoff.gateway.state.WorldState;
import java.time.Clock;
import java.util.function.BooleanSupplier;

/** What every device session of a node shares, wired once by the gateway. */
public record SessionServices(GatewayConfig config, WorldState world, SessionRegistry registry, Clock clock,
                              GatewayMetrics metrics, DeliveryStats stats, BundleDelivery bundles, Farewells farewells,
                              BooleanSupplier draining) {
}
