package io.kickoff.gateway;

import java.time.Clock;
import java.util.function.BooleanSupplier;

/** What every device session of a node shares, wired once by the gateway. */
record SessionServices(GatewayConfig config, WorldState world, SessionRegistry registry, Clock clock,
                              GatewayMetrics metrics, DeliveryStats stats, BundleDelivery bundles, Farewells farewells,
                              BooleanSupplier draining, ViewingPublisher viewing) {
}
