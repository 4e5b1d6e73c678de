package io.kickoff.prefetch.catalog;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.netflix.hollow.api.consumer.HollowConsumer;
import com.netflix.hollow.api.consumer.fs.HollowFilesystemAnnouncementWatcher;
import com.netflix.hollow.api.consumer.fs.HollowFilesystemBlobRetriever;
import com.netflix.hollow.api.producer.HollowProducer;
import com.netflix.hollow.api.producer.fs.HollowFilesystemAnnouncer;
import com.netflix.hollow.api.producer.fs.HollowFilesystemPublisher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Where catalog blobs live: what {@link CatalogPublisher} writes and announces and {@link CatalogConsumer} reads and
 * follows, as Hollow's own publisher, announcer, retriever and announcement watcher. A {@link Directory} (Hollow's
 * filesystem implementations; shared by processes, what the command line uses) or an {@link InMemoryCatalogBlobStore}
 * (one JVM). Both pass the same contract tests.
 */
public sealed interface CatalogBlobStore permits CatalogBlobStore.Directory, InMemoryCatalogBlobStore {

    /** Writes snapshot, delta and reverse-delta blobs. */
    HollowProducer.Publisher publisher();

    /** Announces a version once its blobs are written. */
    HollowProducer.Announcer announcer();

    /** Reads blobs back (consumers, and a publisher restoring its last announced state). */
    HollowConsumer.BlobRetriever retriever();

    /**
     * Reports announced versions to the consumer it is given to; a store that cannot tell its consumers itself polls
     * on {@code poller}, which the caller owns.
     */
    HollowConsumer.AnnouncementWatcher watcher(ScheduledExecutorService poller);

    /** The last announced version, {@code Long.MIN_VALUE} if nothing was announced. */
    long announcedVersion();

    /** Where the blobs are, for messages ("directory D", "memory"). */
    String describe();

    /** How a catalog gets into this store, for a node that waits for one. */
    String howToPublish();

    /** A blob directory; nothing is created until a publisher writes into it. */
    static Directory directory(Path dir) {
        return new Directory(dir);
    }

    /**
     * A blob directory that must exist: Hollow's retriever would create a missing one and a consumer would wait on it
     * forever, while a missing directory is most likely a typo. Refused in words ({@link IllegalArgumentException}).
     */
    static Directory existingDirectory(Path dir) {
        if (Files.isDirectory(dir)) {
            return new Directory(dir);
        }
        throw new IllegalArgumentException("catalog directory " + dir + (Files.exists(dir) ? " is not a directory"
                : " does not exist") + ": publish a catalog there first (kickoff catalog publish --dir " + dir + " ...)");
    }

    /**
     * One version's blobs in a directory.
     *
     * @param snapshotBytes size of its snapshot, -1 if it has none
     * @param deltaBytes    size of the delta from the version before, -1 if it has none
     */
    record BlobVersion(long version, long snapshotBytes, long deltaBytes, Instant written) {
    }

    /** Hollow's filesystem blob store over one directory (snapshots, deltas, reverse deltas, announced.version). */
    record Directory(Path dir) implements CatalogBlobStore {
        public Directory {
            Objects.requireNonNull(dir, "dir");
        }

        @Override
        public HollowProducer.Publisher publisher() {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create blob directory " + dir, e);
            }
            return new HollowFilesystemPublisher(dir);
        }

        @Override
        public HollowProducer.Announcer announcer() {
            return new HollowFilesystemAnnouncer(dir);
        }

        @Override
        public HollowConsumer.BlobRetriever retriever() {
            return new HollowFilesystemBlobRetriever(dir);
        }

        @Override
        public HollowConsumer.AnnouncementWatcher watcher(ScheduledExecutorService poller) {
            return new HollowFilesystemAnnouncementWatcher(dir, poller);
        }

        @Override
        public long announcedVersion() {
            Path file = dir.resolve(HollowFilesystemAnnouncer.ANNOUNCEMENT_FILENAME);
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

        @Override
        public String describe() {
            return "directory " + dir;
        }

        /**
         * The versions whose blobs are in the directory, oldest first: what each holds (a snapshot, a delta from the
         * version before) and when it was written. Empty if the directory holds none.
         */
        public List<BlobVersion> versions() {
            Map<Long, BlobVersion> versions = new TreeMap<>();
            if (!Files.isDirectory(dir)) {
                return List.of();
            }
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    String[] parts = file.getFileName().toString().split("-");
                    if (parts.length < 2 || !parts[parts.length - 1].matches("\\d+")) {
                        continue;
                    }
                    long version = Long.parseLong(parts[parts.length - 1]);
                    BlobVersion v = versions.getOrDefault(version, new BlobVersion(version, -1, -1, null));
                    long size = Files.size(file);
                    Instant written = Files.getLastModifiedTime(file).toInstant();
                    v = switch (parts[0]) {
                        case "snapshot" -> new BlobVersion(version, size, v.deltaBytes(), later(v.written(), written));
                        case "delta" -> new BlobVersion(version, v.snapshotBytes(), size, later(v.written(), written));
                        case "header" -> new BlobVersion(version, v.snapshotBytes(), v.deltaBytes(), later(v.written(), written));
                        default -> v;
                    };
                    versions.put(version, v);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + dir, e);
            }
            return List.copyOf(versions.values());
        }

        private static Instant later(Instant a, Instant b) {
            return a == null || b.isAfter(a) ? b : a;
        }

        @Override
        public String howToPublish() {
            return "publish one with kickoff catalog publish --dir " + dir + " (the node loads it within a second)";
        }
    }
}
