package io.kickoff.bus;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bus inside one JVM, for {@code memory} mode and fast tests. Compacted topics keep the
 * latest record per key; other topics keep the most recent {@code retainedRecords}. Each
 * subscription has its own delivery thread, so a slow handler delays only itself, and the
 * publisher never runs a handler.
 */
public final class InProcessEventBus implements EventBus {
    private static final Logger log = LoggerFactory.getLogger(InProcessEventBus.class);
    private static final int DEFAULT_RETAINED_RECORDS = 10_000;

    private final Map<String, TopicLog> topics = new ConcurrentHashMap<>();
    private final Map<String, FencingGroup> fencingGroups = new ConcurrentHashMap<>();
    private final int retainedRecords;
    private final AtomicInteger subscriptionIds = new AtomicInteger();
    private volatile boolean closed;

    public InProcessEventBus() {
        this(DEFAULT_RETAINED_RECORDS);
    }

    public InProcessEventBus(int retainedRecords) {
        if (retainedRecords < 1) {
            throw new IllegalArgumentException("retainedRecords must be positive");
        }
        this.retainedRecords = retainedRecords;
    }

    @Override
    public CompletableFuture<Void> publish(Topic topic, String key, byte[] value) {
        if (closed) {
            return CompletableFuture.failedFuture(new BusException("bus is closed"));
        }
        logFor(topic).append(key, value.clone());
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public Subscription subscribe(Topic topic, StartFrom from, RecordHandler handler) {
        if (closed) {
            throw new BusException("bus is closed");
        }
        return logFor(topic).subscribe(from, handler);
    }

    @Override
    public FencedPublisher fencedPublisher(String group) {
        if (group == null || group.isBlank()) {
            throw new IllegalArgumentException("a fenced publisher needs a group name");
        }
        return new InProcessFencedPublisher(fencingGroups.computeIfAbsent(group, FencingGroup::new));
    }

    @Override
    public boolean isAvailable() {
        return !closed;
    }

    @Override
    public void close() {
        closed = true;
        topics.values().forEach(TopicLog::closeAll);
    }

    /** Who may publish for a group: the last claimant, as long as no later claim had a lower epoch. */
    private static final class FencingGroup {
        final String name;
        InProcessFencedPublisher holder;
        long highestEpoch = Long.MIN_VALUE;

        FencingGroup(String name) {
            this.name = name;
        }
    }

    private final class InProcessFencedPublisher implements FencedPublisher {
        private final FencingGroup group;
        private volatile boolean publisherClosed;

        InProcessFencedPublisher(FencingGroup group) {
            this.group = group;
        }

        @Override
        public CompletableFuture<Void> claim(long epoch) {
            if (closed || publisherClosed) {
                return CompletableFuture.failedFuture(new BusException("bus is closed"));
            }
            synchronized (group) {
                if (epoch < group.highestEpoch) {
                    return CompletableFuture.failedFuture(new FencedException("claim of " + group.name + " with epoch "
                            + epoch + " refused: epoch " + group.highestEpoch + " claimed it already"));
                }
                group.highestEpoch = epoch;
                group.holder = this;
            }
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> publish(Topic topic, List<KeyedValue> records) {
            if (closed || publisherClosed) {
                return CompletableFuture.failedFuture(new BusException("bus is closed"));
            }
            try {
                TopicLog topicLog = logFor(topic);
                // Holding the group's lock while appending: a claim cannot land in the middle of a batch.
                synchronized (group) {
                    if (group.holder != this) {
                        return CompletableFuture.failedFuture(new FencedException("publisher of " + group.name
                                + " is fenced: another one claimed the group"));
                    }
                    for (KeyedValue record : records) {
                        topicLog.append(record.key(), record.value().clone());
                    }
                }
                return CompletableFuture.completedFuture(null);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        @Override
        public void close() {
            publisherClosed = true;
        }
    }

    private TopicLog logFor(Topic topic) {
        TopicLog topicLog = topics.computeIfAbsent(topic.name(), n -> new TopicLog(topic));
        if (topicLog.topic.compacted() != topic.compacted()) {
            throw new BusException("topic " + topic.name() + " already exists with compacted=" + topicLog.topic.compacted());
        }
        return topicLog;
    }

    private final class TopicLog {
        final Topic topic;
        // Compacted: latest record per key. Otherwise: the retained tail, oldest first.
        final Map<String, BusRecord> latestByKey = new LinkedHashMap<>();
        final Deque<BusRecord> tail = new ArrayDeque<>();
        final List<InProcessSubscription> subscriptions = new ArrayList<>();
        long nextOffset;

        TopicLog(Topic topic) {
            this.topic = topic;
        }

        synchronized void append(String key, byte[] value) {
            BusRecord record = new BusRecord(topic, key, value, nextOffset++);
            if (topic.compacted()) {
                latestByKey.remove(key);
                latestByKey.put(key, record);
            } else {
                tail.addLast(record);
                if (tail.size() > retainedRecords) {
                    tail.removeFirst();
                }
            }
            for (InProcessSubscription subscription : subscriptions) {
                subscription.deliver(record);
            }
        }

        synchronized Subscription subscribe(StartFrom from, RecordHandler handler) {
            InProcessSubscription subscription = new InProcessSubscription(this, handler);
            if (from == StartFrom.BEGINNING) {
                List<BusRecord> replay = new ArrayList<>(topic.compacted() ? latestByKey.values() : tail);
                replay.sort(Comparator.comparingLong(BusRecord::offset));
                replay.forEach(subscription::deliver);
                subscription.markCaughtUpAfterQueued();
            } else {
                subscription.caughtUp.complete(null);
            }
            subscriptions.add(subscription);
            return subscription;
        }

        synchronized void remove(InProcessSubscription subscription) {
            subscriptions.remove(subscription);
        }

        synchronized void closeAll() {
            new ArrayList<>(subscriptions).forEach(InProcessSubscription::close);
        }
    }

    private final class InProcessSubscription implements Subscription {
        private final TopicLog owner;
        private final RecordHandler handler;
        private final ExecutorService delivery;
        private final CompletableFuture<Void> caughtUp = new CompletableFuture<>();
        private volatile boolean closed;
        private volatile Thread deliveryThread;

        InProcessSubscription(TopicLog owner, RecordHandler handler) {
            this.owner = owner;
            this.handler = handler;
            String name = "bus-" + owner.topic.name() + "-" + subscriptionIds.incrementAndGet();
            this.delivery = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                deliveryThread = t;
                return t;
            });
        }

        void deliver(BusRecord record) {
            if (closed) {
                return;
            }
            delivery.execute(() -> {
                if (closed) {
                    return;
                }
                try {
                    handler.onRecord(record);
                } catch (RuntimeException e) {
                    log.error("handler failed on {} key={} offset={}; continuing", record.topic().name(),
                            record.key(), record.offset(), e);
                }
            });
        }

        void markCaughtUpAfterQueued() {
            delivery.execute(() -> caughtUp.complete(null));
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
            owner.remove(this);
            delivery.shutdown();
            // Like the Kafka subscription: once close() returns, no handler call is still running,
            // so the owner may tear down what its handler uses (a handler closing it cannot wait).
            if (Thread.currentThread() != deliveryThread) {
                try {
                    delivery.awaitTermination(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
