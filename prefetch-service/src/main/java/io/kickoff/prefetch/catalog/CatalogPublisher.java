package io.kickoff.prefetch.catalog;

import com.netflix.hollow.api.consumer.HollowConsumer;
import com.netflix.hollow.api.producer.HollowProducer;
import com.netflix.hollow.api.producer.validation.RecordCountVarianceValidator;
import com.netflix.hollow.api.producer.validation.ValidationResult;
import com.netflix.hollow.api.producer.validation.ValidationStatusException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The catalog producer: runs one Hollow cycle per {@link #publish(CatalogSource)} into a blob store and announces the
 * new version. The blob store is reached through Hollow's {@link HollowProducer.Publisher},
 * {@link HollowProducer.Announcer} and {@link HollowConsumer.BlobRetriever} (for restore) plus a supplier of the last
 * announced version; {@link #open(CatalogBlobStore)} wires a {@link CatalogBlobStore}'s.
 *
 * <p>On construction the producer restores from the last announced version, so its first cycle publishes a delta on
 * top of it rather than a fresh snapshot that would force consumers into a double snapshot. Every cycle is checked by
 * a {@link RecordCountVarianceValidator} per keyed type (except live events, which legitimately come and go): a cycle
 * whose record count for a type changes by more than the allowed percentage is rejected and not announced.
 *
 * <p>Blobs reach the blob store only when their version is announced: Hollow writes a cycle's blobs before it
 * validates, and a rejected cycle's delta ({@code delta-V1-Vrejected}) left in a filesystem store would be found by
 * consumers sitting on V1. The publisher therefore holds a cycle's blobs (staged on local disk by Hollow) and hands them
 * to the real {@link HollowProducer.Publisher} just before announcing; a rejected cycle's blobs are dropped.
 *
 * <p>Not thread-safe: one publisher per blob store, cycles run one at a time.
 */
public final class CatalogPublisher {

    private static final Logger log = LoggerFactory.getLogger(CatalogPublisher.class);

    /** Default allowed record-count change per type and cycle, in percent. */
    public static final float DEFAULT_MAX_VARIANCE_PERCENT = 30f;

    private final HollowProducer producer;
    private final AnnounceGate gate;
    private final long restoredVersion;
    private long currentVersion;

    /**
     * @param publisher             writes snapshot/delta/reverse-delta blobs
     * @param announcer             announces a version once its blobs are written
     * @param retriever             reads blobs back, to restore the last announced state
     * @param lastAnnouncedVersion  the last announced version, or {@code Long.MIN_VALUE} if none
     * @param maxVariancePercent    allowed record-count change per type and cycle, in percent
     */
    public CatalogPublisher(HollowProducer.Publisher publisher, HollowProducer.Announcer announcer,
                            HollowConsumer.BlobRetriever retriever, LongSupplier lastAnnouncedVersion,
                            float maxVariancePercent) {
        this.gate = new AnnounceGate(Objects.requireNonNull(publisher), Objects.requireNonNull(announcer));
        HollowProducer.Builder<?> builder = HollowProducer.withPublisher(gate).withAnnouncer(gate);
        for (String type : List.of(CatalogModel.TITLE, CatalogModel.ARTWORK, CatalogModel.PERSON, CatalogModel.ROW,
                CatalogModel.SEGMENT)) {
            builder.withListener(new RecordCountVarianceValidator(type, maxVariancePercent));
        }
        this.producer = builder.build();
        producer.initializeDataModel(CatalogModel.CLASSES);
        long last = lastAnnouncedVersion.getAsLong();
        if (last != Long.MIN_VALUE) {
            producer.restore(last, Objects.requireNonNull(retriever));
            log.info("catalog producer restored from announced version {}", last);
        }
        this.restoredVersion = last;
        this.currentVersion = last;
    }

    /** A publisher over a blob store, default validator threshold. */
    public static CatalogPublisher open(CatalogBlobStore store) {
        return open(store, DEFAULT_MAX_VARIANCE_PERCENT);
    }

    /** A publisher over a blob store (a directory is created if missing). */
    public static CatalogPublisher open(CatalogBlobStore store, float maxVariancePercent) {
        return new CatalogPublisher(store.publisher(), store.announcer(), store.retriever(), store::announcedVersion,
                maxVariancePercent);
    }

    /** A publisher over a filesystem blob directory (created if missing), default validator threshold. */
    public static CatalogPublisher open(Path blobDir) {
        return open(CatalogBlobStore.directory(blobDir));
    }

    /**
     * One-shot entry point (CLI {@code kickoff catalog publish}): restore from the store's announced version, run
     * one cycle, announce.
     *
     * @return the announced version (unchanged if the catalog did not change)
     */
    public static long publish(CatalogBlobStore store, CatalogSource source) {
        return open(store).publish(source);
    }

    /** {@link #publish(CatalogBlobStore, CatalogSource)} with another allowed record-count change, in percent. */
    public static long publish(CatalogBlobStore store, CatalogSource source, float maxVariancePercent) {
        return open(store, maxVariancePercent).publish(source);
    }

    /** {@link #publish(CatalogBlobStore, CatalogSource)} into a filesystem blob directory. */
    public static long publish(Path blobDir, CatalogSource source) {
        return publish(CatalogBlobStore.directory(blobDir), source);
    }

    /**
     * Runs one cycle with the full catalog from {@code source}.
     *
     * @return the new version; if the data did not change no blob is written and the current version is returned
     *         ({@code Long.MIN_VALUE} if nothing was ever published)
     * @throws CatalogFormatException     if the input is malformed (nothing published)
     * @throws CatalogValidationException if a validator rejected the cycle (blobs may be written, but the version is
     *                                    not announced and the next cycle starts again from the last announced state)
     */
    public long publish(CatalogSource source) {
        List<Object> records = source.load().toHollowRecords();
        gate.discard();
        try {
            long version = producer.runCycle(state -> {
                for (Object r : records) {
                    state.add(r);
                }
            });
            if (version == 0) {
                // no change in a fresh producer: Hollow reports no cycle; the current version is the restored one
                return currentVersion;
            }
            if (version != currentVersion) {
                log.info("catalog cycle complete: version {} ({} top-level records)", version, records.size());
            }
            currentVersion = version;
            return version;
        } catch (ValidationStatusException e) {
            StringBuilder failures = new StringBuilder();
            for (ValidationResult r : e.getValidationStatus().getResults()) {
                if (!r.isPassed()) {
                    failures.append(failures.length() == 0 ? "" : "; ").append(r.getName()).append(": ")
                            .append(r.getMessage()).append(' ').append(r.getDetails());
                }
            }
            throw new CatalogValidationException("catalog cycle rejected, version not announced: " + failures, e);
        } finally {
            gate.discard();
        }
    }

    /** The version restored on construction, or {@code Long.MIN_VALUE} if the store had none. */
    long restoredVersion() {
        return restoredVersion;
    }

    /** The underlying producer (metrics, extra listeners). */
    public HollowProducer producer() {
        return producer;
    }

    /** Holds a cycle's blobs until its version is announced (see the class comment). */
    private static final class AnnounceGate implements HollowProducer.Publisher, HollowProducer.Announcer {
        private final HollowProducer.Publisher publisher;
        private final HollowProducer.Announcer announcer;
        private final List<HollowProducer.PublishArtifact> pending = new ArrayList<>();

        AnnounceGate(HollowProducer.Publisher publisher, HollowProducer.Announcer announcer) {
            this.publisher = publisher;
            this.announcer = announcer;
        }

        @Override
        @SuppressWarnings("deprecation")
        public void publish(HollowProducer.Blob blob) {
            publish((HollowProducer.PublishArtifact) blob);
        }

        @Override
        public synchronized void publish(HollowProducer.PublishArtifact artifact) {
            pending.add(artifact);
        }

        @Override
        public synchronized void announce(long stateVersion) {
            for (HollowProducer.PublishArtifact artifact : pending) {
                publisher.publish(artifact);
            }
            pending.clear();
            announcer.announce(stateVersion);
        }

        synchronized void discard() {
            pending.clear();
        }
    }
}
