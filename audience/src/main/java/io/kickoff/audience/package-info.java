/**
 * Live audience from device viewing signals, on Kafka Streams: {@link io.kickoff.audience.AudienceTopology} with its
 * {@link io.kickoff.audience.AudienceSettings}, run by {@link io.kickoff.audience.AudienceService} configured by
 * {@link io.kickoff.audience.AudienceStreamsConfig}. Reads {@code kickoff.viewing} and {@code kickoff.stages}; writes
 * {@code kickoff.audience}, {@code kickoff.audience.series} and {@code kickoff.audience.accounts}. See README.md.
 */
package io.kickoff.audience;
