package io.kickoff.prefetch.catalog;

import com.netflix.hollow.api.producer.fs.HollowFilesystemAnnouncer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Helpers over a filesystem blob directory as written by {@link CatalogPublisher#open(Path)}. */
public final class CatalogBlobStore {

    private CatalogBlobStore() {
    }

    /** The version in the directory's announcement file, or {@code Long.MIN_VALUE} if nothing was announced. */
    public static long announcedVersion(Path blobDir) {
        Path file = blobDir.resolve(HollowFilesystemAnnouncer.ANNOUNCEMENT_FILENAME);
        if (!Files.isReadable(file)) {
            return Long.MIN_VALUE;
        }
        try {
            String text = Files.readString(file).trim();
            return text.isEmpty() ? Long.MIN_VALUE : Long.parseLong(text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
