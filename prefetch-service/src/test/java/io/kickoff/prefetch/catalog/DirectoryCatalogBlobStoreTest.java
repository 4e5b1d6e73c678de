package io.kickoff.prefetch.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract on Hollow's filesystem blob store, and what only a directory has: its files. */
class DirectoryCatalogBlobStoreTest extends CatalogBlobStoreContract {

    @TempDir
    Path dir;

    @Override
    CatalogBlobStore store() {
        return CatalogBlobStore.directory(dir);
    }

    @Test
    void blobsAndTheAnnouncementAreFilesOfTheDirectory() throws Exception {
        long v1 = CatalogPublisher.publish(dir, of(TestCatalogs.small()));
        long v2 = CatalogPublisher.publish(dir, of(TestCatalogs.smallV2()));
        assertThat(Files.readString(dir.resolve("announced.version")).trim()).isEqualTo(Long.toString(v2));
        assertThat(dir.resolve("snapshot-" + v1)).exists();
        assertThat(dir.resolve("delta-" + v1 + "-" + v2)).exists();
    }

    @Test
    void aRejectedCycleLeavesNoFileBehind() throws Exception {
        CatalogPublisher publisher = CatalogPublisher.open(dir);
        long v1 = publisher.publish(new SyntheticCatalog(1_000, 5, 2, 0));
        assertThatThrownBy(() -> publisher.publish(new SyntheticCatalog(500, 5, 2, 0)))
                .isInstanceOf(CatalogValidationException.class);
        long v2 = publisher.publish(new SyntheticCatalog(1_000, 5, 2, 1));
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> !n.equals("announced.version")))
                    .allSatisfy(n -> assertThat(n.replaceAll("^[a-z]+-", "").split("-"))
                            .allSatisfy(v -> assertThat(Long.parseLong(v)).isIn(v1, v2)));
        }
    }

    @Test
    void aMissingDirectoryIsRefusedInWordsAndNotCreated() {
        Path missing = dir.resolve("typo");
        assertThatThrownBy(() -> CatalogBlobStore.existingDirectory(missing))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("catalog directory " + missing + " does not exist", "kickoff catalog publish");
        assertThat(missing).doesNotExist();
    }

    @Test
    void aFileWhereTheDirectoryShouldBeIsRefusedInWords() throws Exception {
        Path file = Files.writeString(dir.resolve("catalog.json"), "{}");
        assertThatThrownBy(() -> CatalogBlobStore.existingDirectory(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("catalog directory " + file + " is not a directory");
    }
}
