package io.kickoff.bus;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bus on Kafka. One idempotent producer ({@code acks=all}) shared by all publishes; one
 * consumer per subscription that assigns itself every partition of the topic (no consumer group:
 * every subscriber reads everything, as every gateway must). Topics are created on first use,
 * compacted where {@link Topic#compacted()} says so.
 */
public final class KafkaEventBus implements EventBus {
    private static final Logger log = LoggerFactory.getLogger(KafkaEventBus.class);

    private final KafkaBusConfig config;
    private final KafkaProducer<String, byte[]> producer;
    private final Admin admin;
    // send() may block on metadata while the cluster is away; callers must not.
    private final ExecutorService sender;
    private final Set<String> knownTopics = ConcurrentHashMap.newKeySet();
    private final List<KafkaSubscription> subscriptions = new CopyOnWriteArrayList<>();
    private final AtomicInteger subscriptionIds = new AtomicInteger();
    private volatile boolean closed;

    public KafkaEventBus(KafkaBusConfig config) {
        this.config = config;
        Map<String, Object> producerProps = new HashMap<>();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        producerProps.put(ProducerConfig.CLIENT_ID_CONFIG, config.clientId() + "-producer");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        // One request in flight: a batch refused while a new partition's leader settles cannot be
        // overtaken by the next one, which left the idempotent producer stuck on OUT_OF_ORDER_SEQUENCE_NUMBER.
        // Bus traffic is small (stage updates, bundles, reports), so the throughput cost does not matter.
        producerProps.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        producerProps.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) config.deliveryTimeout().toMillis());
        producerProps.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                (int) Math.min(30_000, config.deliveryTimeout().toMillis()));
        producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, config.deliveryTimeout().toMillis());
        producerProps.putAll(config.extraClientConfig());
        this.producer = new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer());

        Map<String, Object> adminProps = new HashMap<>();
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        adminProps.put(AdminClientConfig.CLIENT_ID_CONFIG, config.clientId() + "-admin");
        adminProps.putAll(config.extraClientConfig());
        this.admin = Admin.create(adminProps);

        this.sender = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "bus-kafka-sender");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public CompletableFuture<Void> publish(Topic topic, String key, byte[] value) {
        if (closed) {
            return CompletableFuture.failedFuture(new BusException("bus is closed"));
        }
        CompletableFuture<Void> acked = new CompletableFuture<>();
        try {
            // One thread sends, so records keep the order in which publish was called.
            sender.execute(() -> {
                try {
                    ensureTopic(topic);
                    producer.send(new ProducerRecord<>(topic.name(), key, value), (metadata, error) -> {
                        if (error != null) {
                            acked.completeExceptionally(new BusException("publish to " + topic.name() + " failed", error));
                        } else {
                            acked.complete(null);
                        }
                    });
                } catch (RuntimeException e) {
                    acked.completeExceptionally(e instanceof BusException ? e
                            : new BusException("publish to " + topic.name() + " failed", e));
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            acked.completeExceptionally(new BusException("bus is closed", e));
        }
        return acked;
    }

    @Override
    public Subscription subscribe(Topic topic, StartFrom from, RecordHandler handler) {
        if (closed) {
            throw new BusException("bus is closed");
        }
        ensureTopic(topic);
        KafkaSubscription subscription = new KafkaSubscription(topic, from, handler,
                config.clientId() + "-sub-" + subscriptionIds.incrementAndGet());
        subscriptions.add(subscription);
        subscription.start();
        try {
            subscription.positioned.get(config.startTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            subscription.close();
            throw new BusException("interrupted while subscribing to " + topic.name(), e);
        } catch (ExecutionException | TimeoutException e) {
            subscription.close();
            throw new BusException("could not subscribe to " + topic.name() + " within " + config.startTimeout(),
                    e instanceof ExecutionException ? e.getCause() : e);
        }
        return subscription;
    }

    /** Creates the topic if it does not exist yet; remembered, so this costs one round trip per topic. */
    private void ensureTopic(Topic topic) {
        if (knownTopics.contains(topic.name())) {
            return;
        }
        NewTopic newTopic = new NewTopic(topic.name(), config.partitions(), config.replicationFactor());
        if (topic.compacted()) {
            newTopic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        }
        try {
            admin.createTopics(List.of(newTopic)).all().get(config.startTimeout().toMillis(), TimeUnit.MILLISECONDS);
            log.info("created topic {} ({} partitions, compacted={})", topic.name(), config.partitions(), topic.compacted());
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new BusException("could not create topic " + topic.name(), e.getCause());
            }
        } catch (TimeoutException e) {
            throw new BusException("could not create topic " + topic.name() + " within " + config.startTimeout(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BusException("interrupted while creating topic " + topic.name(), e);
        }
        awaitLeaders(topic);
        knownTopics.add(topic.name());
    }

    /**
     * Waits until every partition of a new topic has a leader. Producing earlier gets
     * NOT_LEADER_OR_FOLLOWER for the first batch, and an idempotent producer with later batches
     * already in flight can then stay stuck on OUT_OF_ORDER_SEQUENCE_NUMBER.
     */
    private void awaitLeaders(Topic topic) {
        long deadline = System.nanoTime() + config.startTimeout().toNanos();
        long pause = 10;
        while (true) {
            try {
                TopicDescription description = admin.describeTopics(List.of(topic.name())).allTopicNames()
                        .get(config.startTimeout().toMillis(), TimeUnit.MILLISECONDS).get(topic.name());
                if (description != null && description.partitions().stream()
                        .allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BusException("interrupted while waiting for the leaders of " + topic.name(), e);
            } catch (ExecutionException | TimeoutException e) {
                // not visible yet: ask again
            }
            if (System.nanoTime() > deadline) {
                throw new BusException("topic " + topic.name() + " has partitions without a leader after " + config.startTimeout());
            }
            try {
                Thread.sleep(pause); // backoff of a start-up poll, off every event loop
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BusException("interrupted while waiting for the leaders of " + topic.name(), e);
            }
            pause = Math.min(200, pause * 2);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        subscriptions.forEach(KafkaSubscription::close);
        sender.shutdown();
        try {
            sender.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
        admin.close(Duration.ofSeconds(5));
    }

    private final class KafkaSubscription implements Subscription {
        private final Topic topic;
        private final StartFrom from;
        private final RecordHandler handler;
        private final KafkaConsumer<String, byte[]> consumer;
        private final Thread thread;
        final CompletableFuture<Void> positioned = new CompletableFuture<>();
        private final CompletableFuture<Void> caughtUp = new CompletableFuture<>();
        private volatile boolean closed;

        KafkaSubscription(Topic topic, StartFrom from, RecordHandler handler, String clientId) {
            this.topic = topic;
            this.from = from;
            this.handler = handler;
            Map<String, Object> props = new HashMap<>();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
            props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, from == StartFrom.BEGINNING ? "earliest" : "latest");
            props.putAll(config.extraClientConfig());
            this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
            this.thread = new Thread(this::run, "bus-" + topic.name() + "-" + clientId);
            this.thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void run() {
            try {
                List<TopicPartition> partitions = assignAll();
                Map<TopicPartition, Long> catchUpTo = position(partitions);
                positioned.complete(null);
                while (!closed) {
                    ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
                    for (ConsumerRecord<String, byte[]> r : records) {
                        deliver(r);
                    }
                    if (!caughtUp.isDone() && reached(catchUpTo)) {
                        caughtUp.complete(null);
                    }
                }
            } catch (WakeupException e) {
                if (!closed) {
                    log.error("subscription to {} woken up unexpectedly", topic.name(), e);
                }
            } catch (RuntimeException e) {
                log.error("subscription to {} stopped", topic.name(), e);
                positioned.completeExceptionally(e);
                caughtUp.completeExceptionally(e);
            } finally {
                consumer.close(Duration.ofSeconds(2));
            }
        }

        private List<TopicPartition> assignAll() {
            long deadline = System.nanoTime() + config.startTimeout().toNanos();
            while (true) {
                List<PartitionInfo> infos = consumer.partitionsFor(topic.name(), config.startTimeout());
                if (infos != null && !infos.isEmpty()) {
                    List<TopicPartition> partitions = infos.stream()
                            .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
                    consumer.assign(partitions);
                    return partitions;
                }
                if (System.nanoTime() > deadline) {
                    throw new BusException("topic " + topic.name() + " has no partitions");
                }
            }
        }

        /** Fixes the start position; returns, per partition, the end offset to reach to be caught up. */
        private Map<TopicPartition, Long> position(List<TopicPartition> partitions) {
            if (from == StartFrom.BEGINNING) {
                consumer.seekToBeginning(partitions);
            } else {
                consumer.seekToEnd(partitions);
            }
            // position() resolves the lazy seek now, so records published after subscribe() returns are not skipped.
            Map<TopicPartition, Long> ends = new HashMap<>();
            for (TopicPartition tp : partitions) {
                consumer.position(tp, config.startTimeout());
            }
            if (from == StartFrom.BEGINNING) {
                ends.putAll(consumer.endOffsets(partitions, config.startTimeout()));
            }
            if (reached(ends)) {
                caughtUp.complete(null);
            }
            return ends;
        }

        private boolean reached(Map<TopicPartition, Long> ends) {
            for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
                if (consumer.position(end.getKey()) < end.getValue()) {
                    return false;
                }
            }
            return true;
        }

        private void deliver(ConsumerRecord<String, byte[]> r) {
            try {
                handler.onRecord(new BusRecord(topic, r.key(), r.value(), r.offset()));
            } catch (RuntimeException e) {
                log.error("handler failed on {} key={} offset={}; continuing", topic.name(), r.key(), r.offset(), e);
            }
        }

        @Override
        public CompletableFuture<Void> caughtUp() {
            return caughtUp;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            subscriptions.remove(this);
            if (Thread.currentThread() != thread) {
                consumer.wakeup();
                try {
                    thread.join(5_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
