package io.kickoff.launcher;

import io.kickoff.prefetch.catalog.CatalogPublisher;
import io.kickoff.prefetch.catalog.CatalogSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The example catalog published into a temporary blob directory, for a platform started without
 * {@code --catalog-dir}; the directory goes when the platform stops.
 */
record ExampleCatalog(Path dir) implements AutoCloseable {

    static ExampleCatalog publish() {
        try {
            Path dir = Files.createTempDirectory("kickoff-catalog-");
            CatalogPublisher.publish(dir, CatalogSource.example());
            return new ExampleCatalog(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for the example catalog", e);
        }
    }

    @Override
    public void close() {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }
}
