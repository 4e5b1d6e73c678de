/**
 * The event bus port and its two implementations: {@link io.kickoff.bus.EventBus} with {@link io.kickoff.bus.Topic},
 * {@link io.kickoff.bus.StartFrom}, {@link io.kickoff.bus.RecordHandler}, {@link io.kickoff.bus.BusRecord},
 * {@link io.kickoff.bus.Subscription}, {@link io.kickoff.bus.BusException}; fenced publishing for a single leader
 * ({@link io.kickoff.bus.FencedPublisher}, {@link io.kickoff.bus.KeyedValue}, {@link io.kickoff.bus.FencedException});
 * Kafka ({@link io.kickoff.bus.KafkaEventBus}, {@link io.kickoff.bus.KafkaBusConfig}) and in-process
 * ({@link io.kickoff.bus.InProcessEventBus}), which pass the same contract tests.
 *
 * <p>Every public type here is used by another module: the gateway, the Live State Manager, the prefetch service or the
 * launcher.
 */
package io.kickoff.bus;
