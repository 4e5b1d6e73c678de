package io.kickoff.audience;

import java.time.Duration;
import org.apache.kafka.streams.KafkaStreams;

/** One running audience instance: the topology on Kafka Streams. */
public final class AudienceService implements AutoCloseable {
    private final KafkaStreams streams;

    public AudienceService(AudienceSettings settings, AudienceStreamsConfig config) {
        this.streams = new KafkaStreams(AudienceTopology.build(settings), config.properties());
    }

    public void start() {
        streams.start();
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
    }
}
