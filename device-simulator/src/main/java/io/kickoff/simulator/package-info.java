/**
 * Plays many devices at once against Kickoff gateways, with the real device behaviour (hello with
 * resume positions, apply-if-newer, ack everything unless told to withhold acks, go-away and backoff
 * reconnects, rendering from a bundle cache that honours expiry and max-age and revalidates with
 * {@code If-None-Match}), and records what each device received so tests and benchmarks can check delivery
 * and latency. Gateways may be {@code ws://} or {@code wss://}, the bundle API {@code http://} or {@code https://}
 * ({@code FleetConfig.tlsTrust}: whom devices trust; the JDK's trust store by default). A share of the fleet can
 * misbehave on purpose ({@link io.kickoff.simulator.Misbehaviour},
 * {@link io.kickoff.simulator.MisbehaviourPlan}): slow readers, garbage frames, reconnect storms, skewed clocks,
 * devices that never say hello; what each kind met is counted ({@link io.kickoff.simulator.DeviceOutcomes}).
 * See the module's README.
 *
 * <p>Entry point: {@link io.kickoff.simulator.DeviceFleet}, configured by {@link io.kickoff.simulator.FleetConfig}.
 * Waiting for the fleet is a future, never a poll: every device welcomed ({@code connectAll}, {@code whenAllWelcomed}),
 * enough devices at a seq ({@code whenReached}), enough devices holding an event's bundle ({@code whenHoldingBundle}).
 * Also exported: what a device saw ({@link io.kickoff.simulator.DeviceView}, {@link io.kickoff.simulator.AppliedUpdate}),
 * figures ({@link io.kickoff.simulator.SimulatorReport}, {@link io.kickoff.simulator.LatencyHistogram},
 * {@link io.kickoff.simulator.BundleCacheFigures}, {@link io.kickoff.simulator.DeviceOutcomes}) and
 * {@link io.kickoff.simulator.DeviceConnectException}. A device's per-event position and the token transport choice
 * are package-private.
 */
package io.kickoff.simulator;
