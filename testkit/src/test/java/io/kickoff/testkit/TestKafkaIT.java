package io.kickoff.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kickoff.devservers.KafkaServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class TestKafkaIT {

    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    private String topic;

    @BeforeEach
    void runningWithAFreshTopic() throws Exception {
        kafka.start(); // a no-op unless an earlier test left it down
        topic = "testkit-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void producesAndConsumes() throws Exception {
        assertThat(kafka.isRunning()).isTrue();
        assertThat(kafka.bootstrapServers()).matches("127\\.0\\.0\\.1:\\d+");

        try (KafkaProducer<String, String> producer = producer()) {
            RecordMetadata sent = producer.send(new ProducerRecord<>(topic, "k", "hello")).get(30, TimeUnit.SECONDS);
            assertThat(sent.offset()).isZero();
        }

        assertThat(readAll()).containsExactly("hello");
    }

    @Test
    void topicsAreNotCreatedAutomatically() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            try (KafkaProducer<String, String> producer = producer()) {
                String missing = "missing-" + UUID.randomUUID();
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>(missing, "v")).get(30, TimeUnit.SECONDS))
                        .hasMessageContaining(missing);
                assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain(missing);
            }
        }
    }

    @Test
    void dataSurvivesRestartOnTheSameAddress() throws Exception {
        String bootstrap = kafka.bootstrapServers();
        try (KafkaProducer<String, String> producer = producer()) {
            producer.send(new ProducerRecord<>(topic, "before-restart")).get(30, TimeUnit.SECONDS);

            kafka.restart();

            assertThat(kafka.isRunning()).isTrue();
            assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);
            sendEventually(producer, "after-restart");
        }
        assertThat(readAll()).containsExactly("before-restart", "after-restart");
    }

    @Test
    void sendsFailWhileStoppedAndWorkAfterStart() throws Exception {
        try (KafkaProducer<String, String> producer = producer()) {
            producer.send(new ProducerRecord<>(topic, "before-stop")).get(30, TimeUnit.SECONDS);

            kafka.stop();

            assertThat(kafka.isRunning()).isFalse();
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topic, "while-stopped"))
                    .get(30, TimeUnit.SECONDS))
                    .hasRootCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);

            kafka.start();
            sendEventually(producer, "after-start");
        }
        assertThat(readAll()).containsExactly("before-stop", "after-start");
    }

    @Test
    void acknowledgedRecordsSurviveKill() throws Exception {
        String bootstrap = kafka.bootstrapServers();
        try (KafkaProducer<String, String> producer = producer()) {
            for (int i = 0; i < 100; i++) {
                producer.send(new ProducerRecord<>(topic, "before-kill-" + i));
            }
            producer.flush(); // acks=all: every record above is acknowledged once flush returns
            producer.send(new ProducerRecord<>(topic, "last-before-kill")).get(30, TimeUnit.SECONDS);

            kafka.kill();

            assertThat(kafka.isRunning()).isFalse();
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topic, "while-killed"))
                    .get(30, TimeUnit.SECONDS))
                    .hasRootCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);

            kafka.start();

            assertThat(kafka.isRunning()).isTrue();
            assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);
            sendEventually(producer, "after-kill");
        }
        List<String> values = readAll();
        assertThat(values).hasSize(102);
        assertThat(values.subList(0, 100)).allMatch(v -> v.startsWith("before-kill-"));
        assertThat(values.subList(100, 102)).containsExactly("last-before-kill", "after-kill");
    }

    /** A producer that gives up quickly, so a send to a stopped broker fails within seconds. */
    @Test
    void aBrokerOnADataDirComesBackWithItsRecordsAndPortAfterClose(@TempDir Path dataDir) throws Exception {
        String bootstrap;
        String persistentTopic = "persistent-" + UUID.randomUUID();
        try (KafkaServer first = KafkaServer.builder().dataDir(dataDir).build()) {
            first.start();
            bootstrap = first.bootstrapServers();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                admin.createTopics(List.of(new NewTopic(persistentTopic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            try (KafkaProducer<String, String> producer = producer(bootstrap)) {
                producer.send(new ProducerRecord<>(persistentTopic, "kept")).get(30, TimeUnit.SECONDS);
            }
        }
        assertThat(dataDir.resolve("server.properties")).exists();

        try (KafkaServer second = KafkaServer.builder().dataDir(dataDir).build()) {
            second.start();
            assertThat(second.bootstrapServers()).isEqualTo(bootstrap);
            assertThat(readAll(bootstrap, persistentTopic)).containsExactly("kept");
        }
    }

    private static KafkaProducer<String, String> producer() {
        return producer(kafka.bootstrapServers());
    }

    private static KafkaProducer<String, String> producer(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 2_000);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000);
        props.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    /** The producer may still be reconnecting right after a start; retry until a send is acknowledged. */
    private void sendEventually(KafkaProducer<String, String> producer, String value) {
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            producer.send(new ProducerRecord<>(topic, value)).get(10, TimeUnit.SECONDS);
            return true;
        });
    }

    /** Every value in the topic's single partition, read from the beginning by a new consumer. */
    private List<String> readAll() {
        return readAll(kafka.bootstrapServers(), topic);
    }

    private static List<String> readAll(String bootstrap, String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        TopicPartition partition = new TopicPartition(topic, 0);
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(Set.of(partition));
            consumer.seekToBeginning(Set.of(partition));
            long end = consumer.endOffsets(Set.of(partition), Duration.ofSeconds(30)).get(partition);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
                return consumer.position(partition) >= end;
            });
        }
        return values;
    }
}
