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
import io.kickoff.protocol.v1.Bundle;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.StageUpdate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
    BundlePush push;
    Subscription bundles;

    @BeforeEach
    void setUp() {
        push = new BundlePush(bus, store, new Materializer(), catalog::get, Clock.systemUTC());
        bundles = bus.subscribe(Topic.BUNDLES, StartFrom.BEGINNING, r -> {
            try {
                published.put(r.key(), Bundle.parseFrom(r.value()));
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
}
