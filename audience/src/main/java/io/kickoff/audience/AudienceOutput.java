package io.kickoff.audience;

import io.kickoff.bus.Topic;

/** A record for one of the output topics; a null value is a tombstone. Never serialized itself. */
record AudienceOutput(Topic topic, byte[] value) {
}
