package io.kickoff.prefetch.catalog;

import com.netflix.hollow.core.read.engine.HollowReadStateEngine;
import com.netflix.hollow.core.read.engine.HollowTypeReadState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Measurement, not a test: sizes and times for the synthetic catalog. Disabled unless asked for:
 * <pre>
 * ./mvnw -B -q -f prefetch-service/pom.xml test -Dtest=CatalogSizeBenchmarkTest -Dkickoff.catalog.bench=true \
 *     [-Dkickoff.catalog.titles=100000 -Dkickoff.catalog.segments=50 -Dkickoff.catalog.events=20]
 * </pre>
 * Prints one report to stdout. Asserts only correctness (1 % of titles reported changed).
 */
@EnabledIfSystemProperty(named = "kickoff.catalog.bench", matches = "true")
class CatalogSizeBenchmarkTest {

    @TempDir
    Path dir;

    @Test
    void syntheticCatalog() throws Exception {
        int titles = Integer.getInteger("kickoff.catalog.titles", 100_000);
        int segments = Integer.getInteger("kickoff.catalog.segments", 50);
        int events = Integer.getInteger("kickoff.catalog.events", 20);
        SyntheticCatalog v0 = new SyntheticCatalog(titles, segments, events, 0);
        List<String> report = new ArrayList<>();

        CatalogPublisher publisher = CatalogPublisher.open(dir);
        long t0 = System.nanoTime();
        long version0 = publisher.publish(v0);
        report.add(String.format("publish snapshot cycle: %d ms", ms(t0)));
        report.add(String.format("snapshot size: %,d bytes", Files.size(dir.resolve("snapshot-" + version0))));

        long heapBefore = usedHeapAfterGc();
        CatalogConsumer consumer = CatalogConsumer.openStatic(CatalogBlobStore.directory(dir));
        long t1 = System.nanoTime();
        consumer.refresh();
        report.add(String.format("consumer snapshot load (incl. key maps): %d ms", ms(t1)));
        long heapAfter = usedHeapAfterGc();
        HollowReadStateEngine state = consumer.hollowConsumer().getStateEngine();
        long footprint = 0;
        for (HollowTypeReadState ts : state.getTypeStates()) {
            footprint += ts.getApproximateHeapFootprintInBytes();
        }
        report.add(String.format("consumer heap: Hollow data ~%,d bytes; process used heap grew %,d bytes",
                footprint, heapAfter - heapBefore));
        report.add(String.format("records: Title %d, Person %d, Artwork %d, String %d",
                count(state, CatalogModel.TITLE), count(state, CatalogModel.PERSON), count(state, CatalogModel.ARTWORK),
                count(state, "String")));

        List<CatalogChange> changes = new ArrayList<>();
        consumer.addListener((c, v) -> changes.add(c));
        long t2 = System.nanoTime();
        long version1 = publisher.publish(v0.next());
        report.add(String.format("publish 1 %% change cycle: %d ms", ms(t2)));
        report.add(String.format("delta size (1 %% of titles changed): %,d bytes",
                Files.size(dir.resolve("delta-" + version0 + "-" + version1))));
        long t3 = System.nanoTime();
        consumer.refresh();
        report.add(String.format("consumer delta apply (incl. change tracking): %d ms", ms(t3)));
        assertThat(changes).hasSize(1);
        assertThat(changes.get(0).changedKeys(CatalogModel.TITLE)).hasSize(titles / 100);
        report.add(String.format("changed keys reported: Title %d", changes.get(0).changedKeys(CatalogModel.TITLE).size()));

        long t4 = System.nanoTime();
        CatalogDiff diff = CatalogDiff.between(CatalogBlobStore.directory(dir), version0, version1);
        report.add(String.format("diff %d -> %d: %d ms, Title modified %d", version0, version1, ms(t4),
                diff.type(CatalogModel.TITLE).modified().size()));
        consumer.close();
        System.out.println("=== catalog benchmark: " + titles + " titles, " + segments + " segments, " + events
                + " events ===\n" + String.join("\n", report));
    }

    private static long ms(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private static int count(HollowReadStateEngine state, String type) {
        return state.getTypeState(type).getPopulatedOrdinals().cardinality();
    }

    private static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
