package io.kickoff.audience;

import io.kickoff.bus.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The topics the topology reads and writes, created before it starts when they do not exist yet (Kafka Streams does
 * not create its source and sink topics, and a missing source topic stops it): {@code kickoff.viewing} and
 * {@code kickoff.stages} in, {@code kickoff.audience} and {@code kickoff.audience.accounts} compacted, and
 * {@code kickoff.audience.series} kept by time, {@code seriesRetention}. Existing topics are left as they are.
 *
 * @param partitions        of each topic created here; the parallelism of the audience is that of {@code kickoff.viewing}
 * @param replicationFactor of each topic created here
 * @param seriesRetention   how long the per-second series is kept (the admin API reads the last hour of it)
 */
public record AudienceTopics(int partitions, short replicationFactor, Duration seriesRetention) {
    private static final Logger log = LoggerFactory.getLogger(AudienceTopics.class);
    public static final Duration DEFAULT_SERIES_RETENTION = Topic.AUDIENCE_SERIES.retention();

    public AudienceTopics {
        if (partitions < 1 || replicationFactor < 1) {
            throw new IllegalArgumentException("topic partitions and replication factor must be at least 1, got "
                    + partitions + " and " + replicationFactor);
        }
        if (seriesRetention.compareTo(Duration.ofHours(1)) < 0) {
            throw new IllegalArgumentException("the series retention must cover the hour the admin API shows, got "
                    + seriesRetention);
        }
    }

    /** The topics as they are created, each with its settings. */
    public List<NewTopic> newTopics() {
        Map<String, String> compacted = Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        return List.of(
                new NewTopic(Topic.VIEWING.name(), partitions, replicationFactor),
                new NewTopic(Topic.STAGES.name(), partitions, replicationFactor).configs(compacted),
                new NewTopic(Topic.AUDIENCE.name(), partitions, replicationFactor).configs(compacted),
                new NewTopic(Topic.AUDIENCE_SERIES.name(), partitions, replicationFactor).configs(Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                        TopicConfig.RETENTION_MS_CONFIG, Long.toString(seriesRetention.toMillis()))),
                new NewTopic(Topic.AUDIENCE_ACCOUNTS.name(), partitions, replicationFactor).configs(compacted));
    }

    /**
     * Creates the missing topics on the cluster at {@code bootstrapServers} ({@code clientConfig}: TLS, SASL...);
     * returns the names of those it created. An {@link IllegalStateException} naming the cluster if it cannot.
     */
    public List<String> ensure(String bootstrapServers, Map<String, Object> clientConfig, Duration timeout) {
        Map<String, Object> settings = new java.util.HashMap<>(clientConfig);
        settings.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        settings.put(AdminClientConfig.CLIENT_ID_CONFIG, "kickoff-audience-topics");
        try (Admin admin = Admin.create(settings)) {
            Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            List<NewTopic> missing = newTopics().stream().filter(t -> !existing.contains(t.name())).toList();
            List<String> created = new ArrayList<>();
            for (NewTopic topic : missing) {
                try {
                    admin.createTopics(List.of(topic)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    created.add(topic.name());
                    log.info("created topic {} ({} partitions, replication {}, {})", topic.name(), partitions,
                            replicationFactor, topic.configs() == null ? Map.of() : topic.configs());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e; // another instance creating it at the same time is fine; anything else is not
                    }
                }
            }
            return created;
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create the audience topics on Kafka " + bootstrapServers + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot create the audience topics on Kafka " + bootstrapServers
                    + ": no answer within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the audience topics", e);
        }
    }
}
