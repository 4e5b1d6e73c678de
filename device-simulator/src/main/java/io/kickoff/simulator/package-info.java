/**
 * Plays many devices at once against Kickoff gateways, with the real device behaviour (hello with
 * resume positions, apply-if-newer, ack everything unless told to withhold acks, go-away and backoff
 * reconnects), and records what each device received so tests and benchmarks can check delivery
 * and latency.
 *
 * <p>Entry point: {@link io.kickoff.simulator.DeviceFleet}.
 */
package io.kickoff.simulator;
