package io.kickoff.prefetch.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kickoff.bus.EventBus;
import io.kickoff.bus.KafkaBusConfig;
import io.kickoff.bus.KafkaEventBus;
import io.kickoff.bus.StartFrom;
import io.kickoff.bus.Subscription;
import io.kickoff.bus.Topic;
import io.kickoff.prefetch.bundle.InMemoryBundleStore;
import io.kickoff.prefetch.bundle.MapCatalog;
import io.kickoff.prefetch.bundle.Materializer;
import io.kickoff.prefetch.catalog.CatalogView;
import io.kickoff.protocol.Timestamps;
import io.kickoff.protocol.v1.AudienceSnapshot;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.kickoff.protocol.v1.Bundle;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.StageUpdate;
import io.kickoff.testkit.TestKafka;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link BundlePush} over a real Kafka broker: a PREFETCH stage update yields one bundle record per segment, paced by
 * the audience a {@link BusAudienceFeed} read from {@code kickoff.audience}.
 */
class BundlePushKafkaIT {
    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    @Test
    void publishesBundlesOnPrefetchThroughKafka() throws Exception {
        MapCatalog catalog = MapCatalog.sample();
        Map<String, Bundle> published = new ConcurrentHashMap<>();
        try (EventBus bus = new KafkaEventBus(KafkaBusConfig.of(kafka.bootstrapServers()).withPartitions(3));
             BundlePush push = new BundlePush(bus, new InMemoryBundleStore(), new Materializer(), () -> catalog,
                     Clock.systemUTC());
             Subscription bundles = bus.subscribe(Topic.BUNDLES, StartFrom.BEGINNING,
                     r -> {
                         try {
                             published.put(r.key(), Bundle.parseFrom(r.value()));
                         } catch (Exception e) {
                             throw new IllegalStateException(e);
                         }
                     })) {
            bundles.caughtUp().get();
            push.start().get();
            StageUpdate update = StageUpdate.newBuilder().setEventId("ev-1").setStage(Stage.PREFETCH).setSeq(1)
                    .setScheduledStart(Timestamps.of(Instant.now().plus(Duration.ofMinutes(30)))).build();
            bus.publish(Topic.STAGES, "ev-1", update.toByteArray()).get();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(published).containsOnlyKeys("ev-1:teen", "ev-1:adult"));
            assertThat(published.get("ev-1:adult").getStagesMap()).containsKeys("PREFETCH", "PRE_SHOW", "LIVE");
        }
    }

    @Test
    void pacesBundlesByTheAudienceReadFromKafka() throws Exception {
        MapCatalog catalog = MapCatalog.sample();
        catalog.events.put("ev-2", new CatalogView.LiveEventInfo("ev-2", "t-fight", "Boxing", "a-t-fight"));
        Map<String, Bundle> published = new ConcurrentHashMap<>();
        try (EventBus bus = new KafkaEventBus(KafkaBusConfig.of(kafka.bootstrapServers()).withPartitions(3));
             BusAudienceFeed audience = new BusAudienceFeed(bus);
             BundlePush push = new BundlePush(bus, new InMemoryBundleStore(), new Materializer(), () -> catalog,
                     Clock.systemUTC(), new PushPriorities(audience, PushPacing.defaults(), Clock.systemUTC(),
                     new SimpleMeterRegistry()));
             Subscription bundles = bus.subscribe(Topic.BUNDLES, StartFrom.BEGINNING,
                     r -> {
                         try {
                             published.put(r.key(), Bundle.parseFrom(r.value()));
                         } catch (Exception e) {
                             throw new IllegalStateException(e);
                         }
                     })) {
            bundles.caughtUp().get();
            audience.caughtUp().get();
            push.start().get();
            AudienceSnapshot snapshot = Snapshots.of("ev-2", Instant.now(), Map.of("teen", 900L, "adult", 90L));
            bus.publish(Topic.AUDIENCE, "ev-2", snapshot.toByteArray()).get();
            await().atMost(Duration.ofSeconds(60)).until(() -> audience.latest("ev-2").isPresent());

            StageUpdate update = StageUpdate.newBuilder().setEventId("ev-2").setStage(Stage.PREFETCH).setSeq(1)
                    .setScheduledStart(Timestamps.of(Instant.now().plus(Duration.ofMinutes(30)))).build();
            bus.publish(Topic.STAGES, "ev-2", update.toByteArray()).get();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(published).containsKeys("ev-2:teen", "ev-2:adult")); // the broker is shared: ev-1 too
            assertThat(published.get("ev-2:teen").getPushWindowPermille()).isZero(); // the whole window
            assertThat(published.get("ev-2:adult").getPushWindowPermille()).isEqualTo(100);
        }
    }
}
