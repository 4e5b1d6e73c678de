/**
 * Development servers, each a child process: a single-node Kafka broker ({@link io.kickoff.devservers.KafkaServer},
 * used by {@code kickoff kafka}, embedded mode and the tests' {@code TestKafka}) and a Redis server
 * ({@link io.kickoff.devservers.RedisServer}). Exports those two; the child JVM's entry point and the process plumbing
 * are package-private.
 */
package io.kickoff.devservers;
