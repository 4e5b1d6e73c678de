package io.kickoff.prefetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kickoff.bus.InProcessEventBus;
import io.kickoff.bus.StartFrom;
import io.kickoff.bus.Topic;
import io.kickoff.prefetch.bundle.BundleStore;
import io.kickoff.prefetch.bundle.InMemoryBundleStore;
import io.kickoff.prefetch.catalog.CatalogBlobStore;
import io.kickoff.prefetch.catalog.CatalogConsumer;
import io.kickoff.prefetch.catalog.CatalogPublisher;
import io.kickoff.prefetch.catalog.InMemoryCatalogBlobStore;
import io.kickoff.prefetch.catalog.CatalogSource;
import io.kickoff.prefetch.testing.TestPrefetchNodes;
import io.kickoff.prefetch.http.BundleServerConfig;
import io.kickoff.protocol.Timestamps;
import io.kickoff.protocol.token.DeviceTokens;
import io.kickoff.protocol.v1.Bundle;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.StageUpdate;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The wired service: catalog blobs in, bundles on the bus and over HTTP out, over the stores it is given. */
class PrefetchServiceTest {
    static final DeviceTokens TOKENS = DeviceTokens.withSecret("prefetch-test-secret-prefetch-test-secret");
    static final BundleServerConfig ANY_PORT = TestPrefetchNodes.ANY_PORT;

    @RegisterExtension
    final TestPrefetchNodes nodes = new TestPrefetchNodes();

    @Test
    void anEventEnteringPrefetchGetsOneBundlePerSegmentOnTheBusAndOverHttp() throws Exception {
        InMemoryCatalogBlobStore blobs = new InMemoryCatalogBlobStore();
        CatalogPublisher.publish(blobs, CatalogSource.synthetic(200, 3, 2));
        BundleStore bundles = new InMemoryBundleStore();
        try (InProcessEventBus bus = new InProcessEventBus()) {
            PrefetchService service = nodes.start(blobs, bundles, bus, TOKENS);
            List<Bundle> pushed = new CopyOnWriteArrayList<>();
            bus.subscribe(Topic.BUNDLES, StartFrom.BEGINNING, r -> {
                try {
                    pushed.add(Bundle.parseFrom(r.value()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            String segment = service.segments().get(0);
            bus.publish(Topic.STAGES, "ev0", StageUpdate.newBuilder().setEventId("ev0").setStage(Stage.PREFETCH).setSeq(1)
                    .setIssuedAt(Timestamps.of(Instant.now()))
                    .setScheduledStart(Timestamps.of(Instant.now().plus(Duration.ofMinutes(30)))).build().toByteArray()).join();

            await().until(() -> pushed.stream().filter(b -> b.getEventId().equals("ev0")).count() == 3);
            assertThat(pushed).allSatisfy(b -> assertThat(b.getStagesMap()).containsKeys("PREFETCH", "PRE_SHOW", "LIVE"));
            // The service keeps bundles in the store it was given.
            assertThat(bundles.get("ev0", segment).join()).isPresent();

            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + service.port() + "/v1/bundles"))
                    .header("Authorization", "Bearer " + TOKENS.issue("tv-1", segment, Duration.ofHours(1)))
                    .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).contains("\"eventId\":\"ev0\"").contains("\"segment\":\"" + segment + "\"");
            assertThat(answer.headers().firstValue("ETag")).isPresent();
        }
    }

    @Test
    void aDirectoryWithNoCatalogYetIsNotReadyAndSaysWhyUntilOneIsPublished(@TempDir Path blobs) throws Exception {
        try (InProcessEventBus bus = new InProcessEventBus()) {
            PrefetchService service = nodes.start(CatalogBlobStore.existingDirectory(blobs), new InMemoryBundleStore(), bus, TOKENS);
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest readyz = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + "/readyz")).build();
            assertThat(http.send(readyz, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(503);
            assertThat(service.notReadyReason()).hasValueSatisfying(reason ->
                    assertThat(reason).contains("no catalog announced in directory " + blobs, "kickoff catalog publish"));

            CatalogPublisher.publish(blobs, CatalogSource.synthetic(20, 2, 1));

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> http.send(readyz, HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            assertThat(service.notReadyReason()).isEmpty();
        }
    }

    @Test
    void anAnnouncedCatalogThatCannotBeReadIsOneLineNamingTheStoreAndNothingIsLeftListening(@TempDir Path blobs)
            throws Exception {
        Files.writeString(blobs.resolve("announced.version"), "5");
        Files.writeString(blobs.resolve("snapshot-5"), "not a Hollow blob");
        try (InProcessEventBus bus = new InProcessEventBus();
             CatalogConsumer catalog = CatalogConsumer.open(CatalogBlobStore.existingDirectory(blobs));
             BundleStore bundles = new InMemoryBundleStore()) {
            assertThatThrownBy(() -> PrefetchService.start(ANY_PORT, catalog, bundles, bus, TOKENS, Clock.systemUTC()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("cannot read the catalog announced in directory " + blobs + ": ")
                    .hasMessageNotContaining("\n");
        }
    }

    @Test
    void readinessSaysNotReadyWhileTheBusIsUnavailable() throws Exception {
        InMemoryCatalogBlobStore blobs = new InMemoryCatalogBlobStore();
        CatalogPublisher.publish(blobs, CatalogSource.synthetic(20, 2, 1));
        InProcessEventBus bus = new InProcessEventBus();
        PrefetchService service = nodes.start(blobs, new InMemoryBundleStore(), bus, TOKENS);
        HttpRequest readyz = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + "/readyz")).GET().build();
        HttpClient http = HttpClient.newHttpClient();
        await().until(() -> http.send(readyz, HttpResponse.BodyHandlers.ofString()).statusCode() == 200);

        bus.close();   // the in-process stand-in for a bus that cannot deliver

        assertThat(http.send(readyz, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(503);
    }
}
