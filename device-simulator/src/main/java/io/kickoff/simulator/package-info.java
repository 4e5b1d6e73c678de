/**
 * Plays many devices at once against Kickoff gateways, with the real device behaviour (hello with
 * resume positions, apply-if-newer, ack everything unless told to withhold acks, go-away and backoff
 * reconnects), and records what each device received so tests and benchmarks can check delivery
 * and latency. Gateways may be {@code ws://} or {@code wss://}, the bundle API {@code http://} or {@code https://}
 * ({@code FleetConfig.tlsTrust}: whom devices trust; the JDK's trust store by default).
 *
 * <p>Entry point: {@link io.kickoff.simulator.DeviceFleet}, configured by {@link io.kickoff.simulator.FleetConfig}.
 * Also exported: what a device saw ({@link io.kickoff.simulator.DeviceView}, {@link io.kickoff.simulator.AppliedUpdate}),
 * figures ({@link io.kickoff.simulator.SimulatorReport}, {@link io.kickoff.simulator.LatencyHistogram}) and
 * {@link io.kickoff.simulator.DeviceConnectException}. A device's per-event position and the token transport choice
 * are package-private.
 */
package io.kickoff.simulator;
