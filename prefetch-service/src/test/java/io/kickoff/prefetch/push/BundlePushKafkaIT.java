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
import io.kickoff.protocol.Timestamps;
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

/** {@link BundlePush} over a real Kafka broker: a PREFETCH stage update yields one bundle record per segment. */
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
}
