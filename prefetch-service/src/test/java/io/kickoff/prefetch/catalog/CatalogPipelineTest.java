package io.kickoff.prefetch.catalog;

import com.netflix.hollow.core.read.engine.HollowReadStateEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class CatalogPipelineTest {

    @TempDir
    Path dir;

    @Test
    void sharedCastAndArtworkAreStoredOnce() {
        SyntheticCatalog synthetic = new SyntheticCatalog(2_000, 10, 5, 0);
        long v1 = CatalogPublisher.publish(dir, synthetic);
        try (CatalogConsumer consumer = CatalogConsumer.openStatic(CatalogBlobStore.directory(dir)).refresh()) {
            assertThat(consumer.version()).isEqualTo(v1);
            HollowReadStateEngine state = consumer.hollowConsumer().getStateEngine();
            assertThat(count(state, CatalogModel.TITLE)).isEqualTo(2_000);
            // 2,000 titles x 5 cast references, but only the distinct people are stored
            assertThat(count(state, CatalogModel.PERSON)).isEqualTo(synthetic.peopleCount()).isEqualTo(40);
            // 2,000 titles + 5 events reference artwork, 20 distinct records stored
            assertThat(count(state, CatalogModel.ARTWORK)).isEqualTo(synthetic.artworkCount()).isEqualTo(20);
            assertThat(count(state, CatalogModel.SEGMENT)).isEqualTo(10);
            assertThat(count(state, CatalogModel.LIVE_EVENT)).isEqualTo(5);
            // genre strings are shared too
            assertThat(count(state, "String")).isLessThanOrEqualTo(16 + synthetic.rowCount() * 40);
        }
    }

    @Test
    void publishesTheJsonExample() throws Exception {
        long v1 = CatalogPublisher.publish(dir, CatalogSource.json(Path.of("catalog-example.json")));
        try (CatalogConsumer consumer = CatalogConsumer.openStatic(CatalogBlobStore.directory(dir)).refresh()) {
            assertThat(consumer.version()).isEqualTo(v1);
            java.util.Optional<CatalogView.Title> title =
                    consumer.read(v -> v.liveEvent("ev-ufc-309").flatMap(e -> v.title(e.titleId())));
            assertThat(title)
                    .get().extracting(CatalogView.Title::cast).isEqualTo(List.of("Jon Jones", "Stipe Miocic", "Joe Rogan"));
            assertThat(consumer.view().rowsWithTitle("t-ufc-309")).extracting(CatalogView.Row::name)
                    .containsExactly("Live now", "Fight night");
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .contains("announced.version", "snapshot-" + v1);
        }
    }

    private static int count(HollowReadStateEngine state, String type) {
        return state.getTypeState(type).getPopulatedOrdinals().cardinality();
    }
}
