package io.kickoff.audience;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;

/**
 * How an audience instance joins the others: instances with the same {@code applicationId} share the partitions.
 *
 * @param replicationFactor of the changelog and repartition topics
 * @param standbyReplicas   warm copies of each task's stores on other instances, for a fast take-over
 * @param clientConfig      more Kafka client settings for every client of the instance (TLS, SASL), applied first:
 *                          the settings above win
 */
public record AudienceStreamsConfig(String applicationId, String bootstrapServers, Path stateDir, int replicationFactor,
                                    int standbyReplicas, Map<String, Object> clientConfig) {

    /** Without extra client settings. */
    public AudienceStreamsConfig(String applicationId, String bootstrapServers, Path stateDir, int replicationFactor,
                                 int standbyReplicas) {
        this(applicationId, bootstrapServers, stateDir, replicationFactor, standbyReplicas, Map.of());
    }

    public AudienceStreamsConfig {
        Objects.requireNonNull(applicationId, "applicationId");
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(stateDir, "stateDir");
        if (replicationFactor < 1 || standbyReplicas < 0) {
            throw new IllegalArgumentException("replicationFactor must be >= 1 and standbyReplicas >= 0");
        }
        if (applicationId.isBlank()) {
            throw new IllegalArgumentException("applicationId must not be blank");
        }
        clientConfig = Map.copyOf(clientConfig);
    }

    public AudienceStreamsConfig withClientConfig(Map<String, ?> settings) {
        return new AudienceStreamsConfig(applicationId, bootstrapServers, stateDir, replicationFactor, standbyReplicas,
                Map.copyOf(settings));
    }

    public Properties properties() {
        Properties props = new Properties();
        props.putAll(clientConfig);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        // Counts are read-modify-write on stores: exactly-once makes a delta, its store update and its output one
        // transaction, so a crash neither loses nor doubles a viewer.
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, replicationFactor);
        props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, standbyReplicas);
        return props;
    }
}
