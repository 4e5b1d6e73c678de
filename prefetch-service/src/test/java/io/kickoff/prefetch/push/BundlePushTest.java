package io.kickoff.prefetch.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kickoff.bus.InProcessEventBus;
import io.kickoff.bus.StartFrom;
import io.kickoff.bus.Subscription;
import io.kickoff.bus.Topic;
import io.kickoff.prefetch.bundle.InMemoryBundleStore;
import io.kickoff.prefetch.bundle.MapCatalog;
import io.kickoff.prefetch.bundle.Materializer;
import io.kickoff.protocol.Timestamps;
import io.kickoff.protocol.v1.AudienceSnapshot;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.kickoff.protocol.v1.Bundle;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.StageUpdate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BundlePushTest {
    final Instant start = Instant.now().plus(Duration.ofMinutes(30));
    final InProcessEventBus bus = new InProcessEventBus();
    final InMemoryBundleStore store = new InMemoryBundleStore();
    final AtomicReference<MapCatalog> catalog = new AtomicReference<>(MapCatalog.sample());
    final Map<String, Bundle> published = new ConcurrentHashMap<>();
    /** Bundle records in the order they reached a subscriber, as "key permille". */
    final List<String> arrivals = new CopyOnWriteArrayList<>();
    BundlePush push;
    Subscription bundles;

    @BeforeEach
    void setUp() {
        push = new BundlePush(bus, store, new Materializer(), catalog::get, Clock.systemUTC());
        bundles = bus.subscribe(Topic.BUNDLES, StartFrom.BEGINNING, r -> {
            try {
                Bundle bundle = Bundle.parseFrom(r.value());
                published.put(r.key(), bundle);
                arrivals.add(r.key() + " " + bundle.getPushWindowPermille());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @AfterEach
    void tearDown() {
        bundles.close();
        push.close();
        bus.close();
    }

    StageUpdate update(String event, Stage stage, long seq) {
        return StageUpdate.newBuilder().setEventId(event).setStage(stage).setSeq(seq)
                .setScheduledStart(Timestamps.of(start)).build();
    }

    void publishStage(StageUpdate u) {
        bus.publish(Topic.STAGES, u.getEventId(), u.toByteArray()).join();
    }

    @Test
    void publishesEverySegmentsBundleWhenTheEventEntersPrefetch() {
        push.start().join();
        publishStage(update("ev-1", Stage.SCHEDULED, 1));
        publishStage(update("ev-1", Stage.PREFETCH, 2));
        // kids' maturity ceiling is below the event: no bundle for it.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(published).containsOnlyKeys("ev-1:teen", "ev-1:adult"));
        Bundle teen = published.get("ev-1:teen");
        assertThat(teen.getStagesMap()).containsKeys("PREFETCH", "PRE_SHOW", "LIVE");
        assertThat(store.get("ev-1", "teen").join()).contains(teen);
        assertThat(store.listBySegment("adult").join()).extracting(Bundle::getEventId).containsExactly("ev-1");
    }

    @Test
    void scheduledEventsGetNoBundle() {
        assertThat(push.handle(update("ev-1", Stage.SCHEDULED, 1)).join()).isEmpty();
        assertThat(store.listBySegment("teen").join()).isEmpty();
    }

    @Test
    void republishesOnlyWhenTheVersionChanges() {
        List<Bundle> first = push.handle(update("ev-1", Stage.PREFETCH, 1)).join();
        assertThat(first).extracting(Bundle::getSegment).containsExactlyInAnyOrder("teen", "adult");

        // Next stage, same content: nothing new to push.
        assertThat(push.handle(update("ev-1", Stage.PRE_SHOW, 2)).join()).isEmpty();
        assertThat(push.onCatalogChanged().join()).isEmpty();

        // The catalog changes a title only adults see: only the adult bundle is pushed again.
        catalog.get().title("t-horror", "Horror Night II", 18);
        List<Bundle> changed = push.onCatalogChanged().join();
        assertThat(changed).extracting(Bundle::getSegment).containsExactly("adult");
        assertThat(changed.get(0).getVersion()).isNotEqualTo(
                first.stream().filter(b -> b.getSegment().equals("adult")).findFirst().orElseThrow().getVersion());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(published.get("ev-1:adult").getVersion()).isEqualTo(changed.get(0).getVersion()));

        // A delay moves the start, hence the expiry and the badges: every segment again.
        StageUpdate delayed = update("ev-1", Stage.PRE_SHOW, 3).toBuilder()
                .setScheduledStart(Timestamps.of(start.plus(Duration.ofMinutes(15)))).build();
        assertThat(push.handle(delayed).join()).hasSize(2);
    }

    @Test
    void endedEventsLeaveTheStoreAndStaleUpdatesAreIgnored() {
        push.handle(update("ev-1", Stage.LIVE, 4)).join();
        assertThat(push.handle(update("ev-1", Stage.PREFETCH, 2)).join()).isEmpty();
        assertThat(push.activeEvents()).extracting(StageUpdate::getStage).containsExactly(Stage.LIVE);

        push.handle(update("ev-1", Stage.ENDED, 5)).join();
        assertThat(store.listBySegment("teen").join()).isEmpty();
        assertThat(push.activeEvents()).isEmpty();
        assertThat(push.onCatalogChanged().join()).isEmpty();
    }

    @Test
    void restrictsToTheEventsAudience() {
        StageUpdate onlyAdults = update("ev-1", Stage.PREFETCH, 1).toBuilder().addSegments("adult").build();
        assertThat(push.handle(onlyAdults).join()).extracting(Bundle::getSegment).containsExactly("adult");
    }

    @Test
    void bundlesArePublishedLargestObservedAudienceFirstEachWithItsPartOfThePushWindow() {
        push.close();
        try (BusAudienceFeed audience = new BusAudienceFeed(bus)) {
            push = new BundlePush(bus, store, new Materializer(), catalog::get, Clock.systemUTC(),
                    new PushPriorities(audience, PushPacing.defaults(), Clock.systemUTC(), new SimpleMeterRegistry()));
            push.start().join();
            // The catalog lists teen before adult; the audience says adult is by far the larger.
            publishAudience(Map.of("adult", 800L, "teen", 40L), audience);
            publishStage(update("ev-1", Stage.PREFETCH, 1));
            await().atMost(Duration.ofSeconds(10)).until(() -> arrivals.size() == 2);
            // adult over the whole window (field unset), teen over the smallest part (40/800 < 0.1).
            assertThat(arrivals).containsExactly("ev-1:adult 0", "ev-1:teen 100");
            // The store keeps bundles as devices get them, without the gateways' field.
            assertThat(store.get("ev-1", "teen").join()).get().extracting(Bundle::getPushWindowPermille).isEqualTo(0);

            // The audience turns; the next versions (a delay moves the start) go teen first.
            publishAudience(Map.of("adult", 300L, "teen", 900L), audience);
            List<Bundle> again = push.handle(update("ev-1", Stage.PRE_SHOW, 2).toBuilder()
                    .setScheduledStart(Timestamps.of(start.plus(Duration.ofMinutes(15)))).build()).join();
            assertThat(again).extracting(Bundle::getSegment).containsExactly("teen", "adult");
            await().atMost(Duration.ofSeconds(10)).until(() -> arrivals.size() == 4);
            assertThat(arrivals.subList(2, 4)).containsExactly("ev-1:teen 0", "ev-1:adult 333");
        }
    }

    void publishAudience(Map<String, Long> segments, BusAudienceFeed audience) {
        AudienceSnapshot snapshot = Snapshots.of("ev-1", Instant.now(), segments);
        bus.publish(Topic.AUDIENCE, "ev-1", snapshot.toByteArray()).join();
        await().atMost(Duration.ofSeconds(10)).until(() -> audience.latest("ev-1").filter(snapshot::equals).isPresent());
    }
}
