/**
 * The broadcast gateway: a Netty WebSocket server holding device connections, which reads every
 * stage update from the bus and fans it out to its devices (tier 2 of the broadcast).
 *
 * <h2>What the module exports</h2>
 * Three public types, all in this package; everything else is package-private.
 * <ul>
 *   <li>{@link io.kickoff.gateway.Gateway}: one node: {@code start}, {@code whenReady},
 *       {@code drain}, {@code close}, its port, readiness and connected devices, and
 *       {@link io.kickoff.gateway.Gateway#GO_AWAY_GRACE} (how long a drain may take past its window).</li>
 *   <li>{@link io.kickoff.gateway.GatewayConfig}: its settings (a validated record with a builder;
 *       {@code GatewayConfig.WarmUp}, {@code GatewayConfig.ViewingSignals}).</li>
 *   <li>{@link io.kickoff.gateway.GatewayMetrics}: its meters, read only from outside
 *       ({@code count}, {@code scrape}); operators read them at {@code /metrics}.</li>
 * </ul>
 * The launcher ({@code kickoff gateway}, {@code serve}, {@code demo}) and the tests of other modules
 * use these and nothing else. The device protocol itself is in {@code io.kickoff.protocol}.
 *
 * <h2>Inside, by job</h2>
 * <ul>
 *   <li>Pipeline: {@code GatewayInitializer} (one initializer, top to bottom; with {@code GatewayConfig.tls()} it
 *       starts with http-edge's {@code ServerTls} handlers, for {@code wss://}), {@code ActivityClock},
 *       {@code UnreadableRequests}, {@code UpgradeDeadline}, {@code HttpEndpoints}, {@code AdmissionCheck} (what a
 *       browser learns after a refused upgrade), {@code UpgradeGuard},
 *       {@code AdmissionControl}, {@code ServerFrameEncoder}, {@code DeviceSessionHandler}.</li>
 *   <li>Sessions: {@code DeviceSession}, {@code SessionRegistry}, {@code SessionUpkeep} (each event
 *       loop's round: withheld updates, redelivery, pings, timeouts, drain moments), {@code Drain},
 *       {@code Farewells}, {@code CloseCodes}.</li>
 *   <li>Encoded frames: {@code WireFrames} is the one owner of bytes many devices receive alike
 *       (one complete WebSocket frame per wire format, reference-counted); fan-out
 *       ({@code FanOut}, {@code StageFrames}), redelivery ({@code SessionUpkeep}) and bundles
 *       ({@code BundleDelivery}, {@code HeldBundle}, {@code LoopState}) hold it and hand each device a
 *       view.</li>
 *   <li>State and figures: {@code WorldState}, {@code DeliveryStats}, {@code DeliveryReporter},
 *       {@code GatewayMetrics}.</li>
 *   <li>Viewing signals (protocol.md §6a): checked and completed in {@code DeviceSessionHandler}, held in the
 *       bounded {@code ViewingQueue}, published in batches on {@code kickoff.viewing} by {@code ViewingPublisher}.</li>
 * </ul>
 */
package io.kickoff.gateway;
