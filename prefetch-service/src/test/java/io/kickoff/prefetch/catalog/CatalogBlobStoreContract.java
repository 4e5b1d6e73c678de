package io.kickoff.prefetch.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.netflix.hollow.api.consumer.HollowConsumer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * What every {@link CatalogBlobStore} does for the publisher and the consumer over it. Subclasses provide a fresh,
 * empty store per test.
 */
abstract class CatalogBlobStoreContract {

    abstract CatalogBlobStore store();

    static CatalogSource of(CatalogInput input) {
        return () -> input;
    }

    @Test
    void roundTripWithDeltaFollowedThroughTheAnnouncementWatcher() {
        CatalogBlobStore store = store();
        long v1 = CatalogPublisher.publish(store, of(TestCatalogs.small()));
        List<CatalogChange> changes = new CopyOnWriteArrayList<>();
        try (CatalogConsumer consumer = CatalogConsumer.open(store)) {
            consumer.addListener((change, view) -> changes.add(change));
            consumer.refresh();
            assertThat(consumer.version()).isEqualTo(v1);

            CatalogView view = consumer.view();
            assertThat(view.version()).isEqualTo(v1);
            assertThat(view.title("t3")).hasValue(new CatalogView.Title("t3", "Title 3", "Synopsis 3", 18,
                    List.of("Sports"), List.of("Ann", "Bob", "Ann"), "a1"));
            assertThat(view.title("nope")).isEmpty();
            assertThat(view.artwork("a2")).hasValue(new CatalogView.Artwork("a2", "BILLBOARD", "https://img/a2.jpg", 1280, 720));
            assertThat(view.liveEvent("ev1")).hasValue(new CatalogView.LiveEventInfo("ev1", "t1", "UFC", "a2"));
            assertThat(view.rowsWithTitle("t1")).extracting(CatalogView.Row::id).containsExactly("r1", "r2");
            assertThat(view.rowsWithTitle("t9")).isEmpty();
            assertThat(view.segments()).extracting(CatalogView.Segment::id).containsExactly("s1", "s2");
            assertThat(view.segment("s2")).hasValue(new CatalogView.Segment("s2", "BR", "pt", 13));
            assertThat(changes).singleElement().satisfies(c -> {
                assertThat(c.fullReload()).isTrue();
                assertThat(c.of(CatalogModel.TITLE).added()).hasSize(10);
            });

            long v2 = CatalogPublisher.publish(store, of(TestCatalogs.smallV2()));
            assertThat(v2).isGreaterThan(v1);
            await().atMost(Duration.ofSeconds(20)).until(() -> consumer.version() == v2);

            assertThat(consumer.view().title("t3")).get().extracting(CatalogView.Title::synopsis).isEqualTo("A new synopsis");
            assertThat(consumer.view().title("t10")).isEmpty();
            assertThat(consumer.view().title("t11")).isPresent();
            assertThat(store.retriever().retrieveDeltaBlob(v1)).isNotNull()
                    .extracting(HollowConsumer.Blob::getToVersion).isEqualTo(v2);
            await().atMost(Duration.ofSeconds(5)).until(() -> changes.size() == 2);
            CatalogChange delta = changes.get(1);
            assertThat(delta.fromVersion()).isEqualTo(v1);
            assertThat(delta.toVersion()).isEqualTo(v2);
            assertThat(delta.fullReload()).isFalse();
            assertThat(delta.of(CatalogModel.TITLE).added()).containsExactly("t11");
            assertThat(delta.of(CatalogModel.TITLE).removed()).containsExactly("t10");
            assertThat(delta.of(CatalogModel.TITLE).modified()).containsExactly("t3");
            assertThat(delta.types().keySet()).containsExactly(CatalogModel.TITLE);
        }
    }

    @Test
    void aConsumerOfAnEmptyStoreWaitsAndLoadsTheFirstAnnouncedVersion() {
        CatalogBlobStore store = store();
        assertThat(store.announcedVersion()).isEqualTo(Long.MIN_VALUE);
        try (CatalogConsumer consumer = CatalogConsumer.open(store).refresh()) {
            assertThat(consumer.version()).isEqualTo(Long.MIN_VALUE);
            long v1 = CatalogPublisher.publish(store, of(TestCatalogs.small()));
            assertThat(store.announcedVersion()).isEqualTo(v1);
            await().atMost(Duration.ofSeconds(20)).until(() -> consumer.version() == v1);
            assertThat(consumer.view().segments()).extracting(CatalogView.Segment::id).containsExactly("s1", "s2");
        }
    }

    @Test
    void refreshReportsOnlyChangedKeysIncludingReferencedRecords() {
        CatalogBlobStore store = store();
        CatalogInput v1in = TestCatalogs.small();
        long v1 = CatalogPublisher.publish(store, of(v1in));
        List<CatalogChange> changes = new CopyOnWriteArrayList<>();
        try (CatalogConsumer consumer = CatalogConsumer.openStatic(store)) {
            consumer.refresh();
            consumer.addListener((change, view) -> changes.add(change));
            // a2 is the artwork of t6..t10 and of ev1; change its URL only
            CatalogInput v2in = TestCatalogs.withArtwork(v1in, arts -> {
                arts.replaceAll(a -> a.id().equals("a2")
                        ? new CatalogInput.Artwork("a2", a.kind(), "https://img/a2-v2.jpg", a.width(), a.height()) : a);
                return arts;
            });
            long v2 = CatalogPublisher.publish(store, of(v2in));
            consumer.refresh();
            assertThat(consumer.version()).isEqualTo(v2);
            assertThat(changes).singleElement().satisfies(c -> {
                assertThat(c.fromVersion()).isEqualTo(v1);
                assertThat(c.fullReload()).isFalse();
                assertThat(c.changedKeys(CatalogModel.ARTWORK)).containsExactly("a2");
                assertThat(c.of(CatalogModel.ARTWORK).modified()).containsExactly("a2");
                assertThat(c.changedKeys(CatalogModel.TITLE)).containsExactlyInAnyOrder("t6", "t7", "t8", "t9", "t10");
                assertThat(c.changedKeys(CatalogModel.LIVE_EVENT)).containsExactly("ev1");
                assertThat(c.changedKeys(CatalogModel.PERSON)).isEmpty();
                assertThat(c.changedKeys(CatalogModel.SEGMENT)).isEmpty();
                assertThat(c.changedKeys(CatalogModel.ROW)).isEmpty();
            });
            assertThat(consumer.view().artwork("a2")).get().extracting(CatalogView.Artwork::url)
                    .isEqualTo("https://img/a2-v2.jpg");

            // publishing the same data again announces nothing new
            assertThat(CatalogPublisher.publish(store, of(v2in))).isEqualTo(v2);
        }
    }

    @Test
    void newProducerRestoresFromLastAnnouncedVersionAndPublishesADelta() {
        CatalogBlobStore store = store();
        long v1 = CatalogPublisher.publish(store, of(TestCatalogs.small()));
        CatalogPublisher restarted = CatalogPublisher.open(store);
        assertThat(restarted.restoredVersion()).isEqualTo(v1);
        long v2 = restarted.publish(of(TestCatalogs.smallV2()));
        assertThat(v2).isGreaterThan(v1);
        assertThat(store.announcedVersion()).isEqualTo(v2);

        HollowConsumer.Blob delta = store.retriever().retrieveDeltaBlob(v1);
        assertThat(delta).isNotNull();
        assertThat(delta.getFromVersion()).isEqualTo(v1);
        assertThat(delta.getToVersion()).isEqualTo(v2);

        // a consumer sitting on v1 follows with the delta (no double snapshot)
        try (CatalogConsumer consumer = CatalogConsumer.openStatic(store).refreshTo(v1)) {
            List<CatalogChange> changes = new CopyOnWriteArrayList<>();
            consumer.addListener((c, v) -> changes.add(c));
            consumer.refreshTo(v2);
            assertThat(changes).singleElement().satisfies(c -> {
                assertThat(c.fullReload()).isFalse();
                assertThat(c.changedKeys(CatalogModel.TITLE)).containsExactlyInAnyOrder("t3", "t10", "t11");
            });
        }
    }

    @Test
    void validatorRejectsABigSwingAndNothingOfTheRejectedCycleReachesTheStore() {
        CatalogBlobStore store = store();
        CatalogPublisher publisher = CatalogPublisher.open(store);
        long v1 = publisher.publish(new SyntheticCatalog(1_000, 5, 2, 0));
        // losing 50 % of the titles (and of people and artwork) is beyond the 30 % threshold
        assertThatThrownBy(() -> publisher.publish(new SyntheticCatalog(500, 5, 2, 0)))
                .isInstanceOf(CatalogValidationException.class)
                .hasMessageContaining("Title");
        assertThat(store.announcedVersion()).isEqualTo(v1);
        assertThat(store.retriever().retrieveDeltaBlob(v1)).isNull();
        assertThat(store.retriever().retrieveSnapshotBlob(Long.MAX_VALUE).getToVersion()).isEqualTo(v1);

        // the producer carries on from the announced state: a small change is a delta on top of v1
        long v2 = publisher.publish(new SyntheticCatalog(1_000, 5, 2, 1));
        assertThat(store.announcedVersion()).isEqualTo(v2);
        assertThat(store.retriever().retrieveDeltaBlob(v1).getToVersion()).isEqualTo(v2);
        assertThat(store.retriever().retrieveReverseDeltaBlob(v2).getToVersion()).isEqualTo(v1);
    }

    @Test
    void malformedInputPublishesNothing() {
        CatalogBlobStore store = store();
        CatalogInput bad = TestCatalogs.withTitles(TestCatalogs.small(), titles -> {
            titles.add(new CatalogInput.Title("t99", "X", null, 7, List.of(), List.of("ghost"), null));
            return titles;
        });
        assertThatThrownBy(() -> CatalogPublisher.publish(store, of(bad)))
                .isInstanceOf(CatalogFormatException.class)
                .hasMessage("titles[10].cast[0]: unknown person 'ghost'");
        assertThat(store.announcedVersion()).isEqualTo(Long.MIN_VALUE);
        assertThat(store.retriever().retrieveSnapshotBlob(Long.MAX_VALUE)).isNull();
    }
}
