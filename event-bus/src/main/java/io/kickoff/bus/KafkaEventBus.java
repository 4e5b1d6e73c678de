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
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
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
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
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
 * compacted where {@link Topic#compacted()} says so. Subscriptions read committed records only, so a transaction of a
 * {@link FencedPublisher} that was fenced or aborted is never seen.
 *
 * <p>Health: a probe asks the cluster for its brokers every second (bounded by
 * {@link KafkaBusConfig#unavailableAfter()}); {@link #isAvailable()} is false once no answer came, or a publish has
 * waited, for longer than that. The change is logged once as an error, and once when the cluster is back.
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
    private final List<KafkaFencedPublisher> fencedPublishers = new CopyOnWriteArrayList<>();
    /** Publishes (and fenced claims) not answered yet: id → when they started (nanoTime). */
    private final Map<Long, Long> waiting = new ConcurrentHashMap<>();
    private final AtomicLong waitIds = new AtomicLong();
    private final ScheduledExecutorService healthProbe;
    private final AtomicBoolean probing = new AtomicBoolean();
    private volatile long lastAnswerNanos = System.nanoTime();
    private volatile String lastProblem = "the cluster did not answer";
    private volatile boolean available = true;
    private long unavailableSinceNanos;
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
        this.healthProbe = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bus-kafka-health-" + config.clientId());
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(50, Math.min(1_000, config.unavailableAfter().toMillis() / 2));
        healthProbe.scheduleWithFixedDelay(this::checkHealth, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public boolean isAvailable() {
        return available && !closed;
    }

    /** One health round on the probe thread: asks the cluster (without waiting for it), then judges. */
    private void checkHealth() {
        try {
            if (probing.compareAndSet(false, true)) {
                admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) config.unavailableAfter().toMillis()))
                        .nodes().whenComplete((nodes, error) -> {
                            if (error == null && !nodes.isEmpty()) {
                                lastAnswerNanos = System.nanoTime();
                                lastProblem = "the cluster did not answer";
                            } else {
                                lastProblem = error == null ? "no broker in the cluster" : error.toString();
                            }
                            probing.set(false);
                        });
            }
            long now = System.nanoTime();
            long limit = config.unavailableAfter().toNanos();
            long oldestWait = waiting.values().stream().mapToLong(started -> now - started).max().orElse(0);
            boolean up = now - lastAnswerNanos < limit && oldestWait < limit;
            if (available && !up) {
                unavailableSinceNanos = now;
                log.error("Kafka at {} is unavailable ({}): publishes wait for it, and readiness says not ready",
                        config.bootstrapServers(), oldestWait >= limit
                                ? "a publish has waited " + TimeUnit.NANOSECONDS.toMillis(oldestWait) + " ms"
                                : "no answer for " + TimeUnit.NANOSECONDS.toMillis(now - lastAnswerNanos) + " ms: "
                                        + lastProblem);
            } else if (!available && up) {
                log.info("Kafka at {} is available again after {} ms", config.bootstrapServers(),
                        TimeUnit.NANOSECONDS.toMillis(now - unavailableSinceNanos));
            }
            available = up;
        } catch (RuntimeException e) {
            probing.set(false);
            log.debug("bus health probe failed", e);
        }
    }

    /** Counts {@code future} as waiting for the cluster until it completes, for {@link #isAvailable()}. */
    private <T> CompletableFuture<T> watched(CompletableFuture<T> future) {
        long id = waitIds.incrementAndGet();
        waiting.put(id, System.nanoTime());
        future.whenComplete((ok, error) -> waiting.remove(id));
        return future;
    }

    @Override
    public FencedPublisher fencedPublisher(String group) {
        if (closed) {
            throw new BusException("bus is closed");
        }
        if (group == null || group.isBlank()) {
            throw new IllegalArgumentException("a fenced publisher needs a group name");
        }
        KafkaFencedPublisher publisher = new KafkaFencedPublisher(group);
        fencedPublishers.add(publisher);
        return publisher;
    }

    @Override
    public CompletableFuture<Void> publish(Topic topic, String key, byte[] value) {
        if (closed) {
            return CompletableFuture.failedFuture(new BusException("bus is closed"));
        }
        CompletableFuture<Void> acked = watched(new CompletableFuture<>());
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
        Map<String, String> configs = new HashMap<>();
        if (topic.compacted()) {
            configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        }
        if (!topic.retention().isZero()) {
            configs.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(topic.retention().toMillis()));
        }
        newTopic.configs(configs);
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
        healthProbe.shutdownNow();
        subscriptions.forEach(KafkaSubscription::close);
        fencedPublishers.forEach(KafkaFencedPublisher::close);
        sender.shutdown();
        try {
            sender.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
        admin.close(Duration.ofSeconds(5));
    }

    /**
     * A transactional producer whose {@code transactional.id} is the group: {@code initTransactions()} of a new claim
     * bumps the producer epoch at the transaction coordinator, which aborts the old claimant's open transaction and
     * refuses everything it sends or commits from then on. Each publish is one transaction. All producer calls run on
     * one thread of their own, since they block while the cluster is away.
     */
    private final class KafkaFencedPublisher implements FencedPublisher {
        private final String group;
        private final ExecutorService worker;
        private volatile KafkaProducer<String, byte[]> producer;
        private boolean claimed;   // worker thread only
        private volatile boolean publisherClosed;

        KafkaFencedPublisher(String group) {
            this.group = group;
            this.worker = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "bus-kafka-fenced-" + group);
                t.setDaemon(true);
                return t;
            });
        }

        @Override
        public CompletableFuture<Void> claim(long epoch) {
            return run(() -> {
                dropProducer();
                KafkaProducer<String, byte[]> fresh = newProducer();
                producer = fresh;
                fresh.initTransactions();
                claimed = true;
                log.info("{} publishes for {} (epoch {}); every earlier claimant is fenced", config.clientId(), group, epoch);
            });
        }

        @Override
        public CompletableFuture<Void> publish(Topic topic, List<KeyedValue> records) {
            List<KeyedValue> batch = List.copyOf(records);
            return run(() -> {
                if (!claimed) {
                    throw new FencedException("publisher of " + group + " has no claim (fenced, failed or never claimed)");
                }
                ensureTopic(topic);
                KafkaProducer<String, byte[]> p = producer;
                p.beginTransaction();
                for (KeyedValue record : batch) {
                    p.send(new ProducerRecord<>(topic.name(), record.key(), record.value()));
                }
                p.commitTransaction();
            });
        }

        /** Runs {@code work} on the worker; any failure drops the claim, and tells fencing apart from an outage. */
        private CompletableFuture<Void> run(Runnable work) {
            if (closed || publisherClosed) {
                return CompletableFuture.failedFuture(new BusException("bus is closed"));
            }
            CompletableFuture<Void> done = watched(new CompletableFuture<>());
            try {
                worker.execute(() -> {
                    try {
                        work.run();
                        done.complete(null);
                    } catch (RuntimeException e) {
                        dropProducer();
                        done.completeExceptionally(translate(e));
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                done.completeExceptionally(new BusException("bus is closed", e));
            }
            return done;
        }

        private RuntimeException translate(RuntimeException e) {
            if (e instanceof FencedException || e instanceof BusException) {
                return e;
            }
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException) {
                    return new FencedException("publisher of " + group + " is fenced: another one claimed the group", e);
                }
            }
            return new BusException("fenced publish for " + group + " failed", e);
        }

        private KafkaProducer<String, byte[]> newProducer() {
            Map<String, Object> props = new HashMap<>();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
            props.put(ProducerConfig.CLIENT_ID_CONFIG, config.clientId() + "-fenced-" + group);
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, group);
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.LINGER_MS_CONFIG, 1);
            props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
            props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) config.deliveryTimeout().toMillis());
            props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(30_000, config.deliveryTimeout().toMillis()));
            // Bounds initTransactions and commitTransaction: a claim or publish during an outage fails and is retried
            // by the caller with a new claim, rather than holding the worker for the whole delivery timeout.
            props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, config.startTimeout().toMillis());
            props.putAll(config.extraClientConfig());
            return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        }

        private void dropProducer() {
            claimed = false;
            KafkaProducer<String, byte[]> p = producer;
            producer = null;
            if (p != null) {
                try {
                    p.close(Duration.ZERO);
                } catch (RuntimeException e) {
                    log.debug("closing the producer of {} failed", group, e);
                }
            }
        }

        @Override
        public void close() {
            if (publisherClosed) {
                return;
            }
            publisherClosed = true;
            fencedPublishers.remove(this);
            // Closing the producer from here ends a call that blocks the worker on an unreachable cluster.
            KafkaProducer<String, byte[]> p = producer;
            if (p != null) {
                try {
                    p.close(Duration.ZERO);
                } catch (RuntimeException e) {
                    log.debug("closing the producer of {} failed", group, e);
                }
            }
            worker.shutdown();
            try {
                if (!worker.awaitTermination(5, TimeUnit.SECONDS)) {
                    worker.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
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
            // Records of a fenced or aborted transaction must never reach a handler.
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
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
