/**
 * Live audience from device viewing signals, on Kafka Streams: {@link io.kickoff.audience.AudienceTopology} with its
 * {@link io.kickoff.audience.AudienceSettings}, run by {@link io.kickoff.audience.AudienceService} configured by
 * {@link io.kickoff.audience.AudienceStreamsConfig}, on the topics {@link io.kickoff.audience.AudienceTopics} creates.
 * Reads {@code kickoff.viewing} and {@code kickoff.stages}; writes {@code kickoff.audience},
 * {@code kickoff.audience.series} and {@code kickoff.audience.accounts}. An instance's probes and metrics port is
 * {@link io.kickoff.audience.http.AudienceEndpoints}. See README.md.
 */
package io.kickoff.audience;
