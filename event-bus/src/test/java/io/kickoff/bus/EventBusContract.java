package io.kickoff.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link EventBus} implementation promises. Run against the in-process bus and a
 * real Kafka broker; each test uses its own topics.
 */
public abstract class EventBusContract {
    protected static final Duration WAIT = Duration.ofSeconds(30);

    protected EventBus bus;

    protected abstract EventBus newBus();

    @BeforeEach
    void openBus() {
        bus = newBus();
    }

    @AfterEach
    void closeBus() {
        bus.close();
    }

    private static Topic compacted() {
        return new Topic("contract-c-" + UUID.randomUUID(), true);
    }

    private static Topic plain() {
        return new Topic("contract-p-" + UUID.randomUUID(), false);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(BusRecord r) {
        return new String(r.value(), StandardCharsets.UTF_8);
    }

    private void publishAll(Topic topic, String... keyValues) {
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            acks.add(bus.publish(topic, keyValues[i], bytes(keyValues[i + 1])));
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).orTimeout(30, TimeUnit.SECONDS).join();
    }

    /** Collects what a handler received, thread-safely. */
    static final class Received implements RecordHandler {
        final List<BusRecord> records = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void onRecord(BusRecord record) {
            records.add(record);
        }

        List<String> values() {
            synchronized (records) {
                return records.stream().map(EventBusContract::text).toList();
            }
        }

        List<String> valuesOf(String key) {
            synchronized (records) {
                return records.stream().filter(r -> r.key().equals(key)).map(EventBusContract::text).toList();
            }
        }

        Map<String, String> latestPerKey() {
            Map<String, String> latest = new LinkedHashMap<>();
            synchronized (records) {
                records.forEach(r -> latest.put(r.key(), text(r)));
            }
            return latest;
        }
    }

    @Test
    void recordsOfOneKeyArriveInPublishOrder() {
        Topic topic = compacted();
        Received received = new Received();
        bus.subscribe(topic, StartFrom.NOW, received);
        List<String> expectedA = new ArrayList<>();
        List<String> expectedB = new ArrayList<>();
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            acks.add(bus.publish(topic, "a", bytes("a" + i)));
            acks.add(bus.publish(topic, "b", bytes("b" + i)));
            expectedA.add("a" + i);
            expectedB.add("b" + i);
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).orTimeout(30, TimeUnit.SECONDS).join();
        await().atMost(WAIT).until(() -> received.records.size() >= 400);
        assertThat(received.valuesOf("a")).containsExactlyElementsOf(expectedA);
        assertThat(received.valuesOf("b")).containsExactlyElementsOf(expectedB);
    }

    @Test
    void replayOfCompactedTopicEndsAtTheLatestValueOfEveryKey() {
        Topic topic = compacted();
        publishAll(topic, "e1", "SCHEDULED", "e2", "SCHEDULED", "e1", "PREFETCH", "e1", "LIVE", "e2", "CANCELLED");
        Received received = new Received();
        Subscription subscription = bus.subscribe(topic, StartFrom.BEGINNING, received);
        subscription.caughtUp().orTimeout(30, TimeUnit.SECONDS).join();
        // Caught up means everything that was there has been handed over.
        assertThat(received.latestPerKey()).containsExactlyInAnyOrderEntriesOf(Map.of("e1", "LIVE", "e2", "CANCELLED"));
        // Whatever history survives compaction, it is in order and ends at the latest value.
        assertThat(received.valuesOf("e1")).isSubsetOf("SCHEDULED", "PREFETCH", "LIVE").endsWith("LIVE");
        assertThat(received.valuesOf("e1")).isSortedAccordingTo(
                (x, y) -> List.of("SCHEDULED", "PREFETCH", "LIVE").indexOf(x) - List.of("SCHEDULED", "PREFETCH", "LIVE").indexOf(y));
    }

    @Test
    void subscriberFromNowSeesOnlyLaterRecords() {
        Topic topic = compacted();
        publishAll(topic, "k", "before");
        Received received = new Received();
        Subscription subscription = bus.subscribe(topic, StartFrom.NOW, received);
        assertThat(subscription.caughtUp()).isCompleted();
        publishAll(topic, "k", "after");
        await().atMost(WAIT).until(() -> received.values().contains("after"));
        // Same key, so "before" would have been delivered ahead of "after".
        assertThat(received.values()).containsExactly("after");
    }

    @Test
    void lateSubscriberFromBeginningSeesHistoryThenLiveRecords() {
        Topic topic = plain();
        publishAll(topic, "k", "1", "k", "2");
        Received received = new Received();
        bus.subscribe(topic, StartFrom.BEGINNING, received).caughtUp().orTimeout(30, TimeUnit.SECONDS).join();
        assertThat(received.values()).containsExactly("1", "2");
        publishAll(topic, "k", "3");
        await().atMost(WAIT).until(() -> received.values().size() == 3);
        assertThat(received.values()).containsExactly("1", "2", "3");
    }

    @Test
    void everySubscriberGetsEveryRecord() {
        Topic topic = compacted();
        Received first = new Received();
        Received second = new Received();
        bus.subscribe(topic, StartFrom.NOW, first);
        bus.subscribe(topic, StartFrom.NOW, second);
        publishAll(topic, "x", "1", "y", "2");
        await().atMost(WAIT).until(() -> first.records.size() == 2 && second.records.size() == 2);
        assertThat(first.latestPerKey()).isEqualTo(second.latestPerKey()).containsEntry("x", "1").containsEntry("y", "2");
    }

    @Test
    void caughtUpCompletesOnAnEmptyTopic() {
        Subscription subscription = bus.subscribe(compacted(), StartFrom.BEGINNING, r -> { });
        subscription.caughtUp().orTimeout(30, TimeUnit.SECONDS).join();
        assertThat(subscription.caughtUp()).isCompleted();
    }

    @Test
    void topicsAreSeparate() {
        Topic one = compacted();
        Topic two = compacted();
        Received onTwo = new Received();
        bus.subscribe(two, StartFrom.NOW, onTwo);
        publishAll(one, "k", "for-one");
        publishAll(two, "k", "for-two");
        await().atMost(WAIT).until(() -> onTwo.values().contains("for-two"));
        assertThat(onTwo.values()).containsExactly("for-two");
        assertThat(onTwo.records).allSatisfy(r -> assertThat(r.topic()).isEqualTo(two));
    }

    @Test
    void aFailingHandlerDoesNotStopItsSubscription() {
        Topic topic = compacted();
        Received received = new Received();
        bus.subscribe(topic, StartFrom.NOW, r -> {
            received.onRecord(r);
            if (text(r).equals("poison")) {
                throw new IllegalStateException("handler bug");
            }
        });
        publishAll(topic, "k", "poison", "k", "fine");
        await().atMost(WAIT).until(() -> received.values().contains("fine"));
        assertThat(received.values()).containsExactly("poison", "fine");
    }

    @Test
    void aClosedSubscriptionReceivesNothingMore() {
        Topic topic = compacted();
        Received closed = new Received();
        Received open = new Received();
        Subscription toClose = bus.subscribe(topic, StartFrom.NOW, closed);
        bus.subscribe(topic, StartFrom.NOW, open);
        publishAll(topic, "k", "1");
        await().atMost(WAIT).until(() -> closed.values().contains("1"));
        toClose.close();
        toClose.close();
        publishAll(topic, "k", "2");
        await().atMost(WAIT).until(() -> open.values().contains("2"));
        assertThat(closed.values()).containsExactly("1");
    }

    @Test
    void closeReturnsOnlyOnceARunningHandlerIsDone() throws Exception {
        Topic topic = compacted();
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean handlerDone = new java.util.concurrent.atomic.AtomicBoolean();
        Subscription subscription = bus.subscribe(topic, StartFrom.NOW, r -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            handlerDone.set(true);
        });
        publishAll(topic, "k", "1");
        assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();

        java.util.concurrent.atomic.AtomicBoolean doneWhenCloseReturned = new java.util.concurrent.atomic.AtomicBoolean();
        Thread closer = new Thread(() -> {
            subscription.close();
            doneWhenCloseReturned.set(handlerDone.get());
        });
        closer.start();
        // Let close() get as far as it goes on its own: blocked (right) or returned (wrong).
        await().atMost(WAIT).until(() -> closer.getState() == Thread.State.WAITING
                || closer.getState() == Thread.State.TIMED_WAITING || !closer.isAlive());
        release.countDown();
        closer.join(WAIT.toMillis());
        assertThat(closer.isAlive()).isFalse();
        // The owner of a subscription tears down what its handler uses right after close().
        assertThat(doneWhenCloseReturned).isTrue();
    }

    @Test
    void publishAfterCloseFails() {
        EventBus other = newBus();
        other.close();
        assertThat(other.publish(compacted(), "k", bytes("v")))
                .failsWithin(WAIT).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(BusException.class);
    }

    // ------------------------------------------------------------------ fenced publishers

    private static List<KeyedValue> records(String... keyValues) {
        List<KeyedValue> records = new ArrayList<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            records.add(new KeyedValue(keyValues[i], bytes(keyValues[i + 1])));
        }
        return records;
    }

    private static <T> T done(CompletableFuture<T> future) {
        return future.orTimeout(60, TimeUnit.SECONDS).join();
    }

    private static Throwable failure(CompletableFuture<?> future) {
        return future.handle((ok, error) -> error).orTimeout(60, TimeUnit.SECONDS).join();
    }

    /** Everything published on {@code topic} from now on, until {@code last} arrives. */
    private Received watch(Topic topic) {
        Received received = new Received();
        bus.subscribe(topic, StartFrom.NOW, received);
        return received;
    }

    private static List<String> until(Received received, String last) {
        await().atMost(WAIT).until(() -> received.values().contains(last));
        return received.values();
    }

    private static String group() {
        return "contract-group-" + UUID.randomUUID();
    }

    @Test
    void aNewClaimFencesTheEarlierClaimantAndNothingOfItsLaterPublishesIsSeen() {
        Topic topic = compacted();
        Received received = watch(topic);
        String group = group();
        try (FencedPublisher deposed = bus.fencedPublisher(group); FencedPublisher successor = bus.fencedPublisher(group)) {
            done(deposed.claim(1));
            done(deposed.publish(topic, records("e", "seq-1")));

            done(successor.claim(2));
            done(successor.publish(topic, records("e", "seq-2")));
            // The deposed one wakes up and tries to publish what it held: refused, and invisible.
            assertThat(failure(deposed.publish(topic, records("e", "seq-1-again", "f", "stale"))))
                    .isInstanceOf(FencedException.class);
            assertThat(failure(deposed.publish(topic, records("e", "seq-1-again")))).isInstanceOf(FencedException.class);
            done(successor.publish(topic, records("e", "seq-3")));

            assertThat(until(received, "seq-3")).containsExactly("seq-1", "seq-2", "seq-3");
        }
    }

    @Test
    void aPublisherThatNeverClaimedCannotPublish() {
        Topic topic = compacted();
        Received received = watch(topic);
        try (FencedPublisher publisher = bus.fencedPublisher(group())) {
            assertThat(failure(publisher.publish(topic, records("k", "v")))).isInstanceOf(FencedException.class);
        }
        publishAll(topic, "k", "plain");
        assertThat(until(received, "plain")).containsExactly("plain");
    }

    @Test
    void aFencedPublisherThatClaimsAgainFencesTheOther() {
        Topic topic = compacted();
        Received received = watch(topic);
        String group = group();
        try (FencedPublisher a = bus.fencedPublisher(group); FencedPublisher b = bus.fencedPublisher(group)) {
            done(a.claim(1));
            done(b.claim(2));
            assertThat(failure(a.publish(topic, records("k", "a-fenced")))).isInstanceOf(FencedException.class);
            done(a.claim(3));
            done(a.publish(topic, records("k", "a-again")));
            assertThat(failure(b.publish(topic, records("k", "b-fenced")))).isInstanceOf(FencedException.class);
            done(a.publish(topic, records("k", "a-last")));
            assertThat(until(received, "a-last")).containsExactly("a-again", "a-last");
        }
    }

    @Test
    void aFencedPublishKeepsTheOrderOfItsRecordsAndGroupsDoNotFenceEachOther() {
        Topic topic = plain();
        Received received = watch(topic);
        try (FencedPublisher one = bus.fencedPublisher(group()); FencedPublisher other = bus.fencedPublisher(group())) {
            done(one.claim(1));
            done(other.claim(1));
            List<String> keyValues = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                keyValues.add("a");
                keyValues.add("r" + i);
            }
            done(one.publish(topic, records(keyValues.toArray(String[]::new))));
            done(other.publish(topic, records("a", "other")));
            List<String> seen = until(received, "other");
            assertThat(seen).hasSize(51).endsWith("other");
            assertThat(seen.subList(0, 50)).containsExactlyElementsOf(
                    java.util.stream.IntStream.range(0, 50).mapToObj(i -> "r" + i).toList());
        }
    }

    @Test
    void anOpenBusIsAvailable() {
        assertThat(bus.isAvailable()).isTrue();
    }
}
