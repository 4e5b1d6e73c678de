package io.kickoff.prefetch.catalog;

import com.netflix.hollow.api.consumer.HollowConsumer;
import com.netflix.hollow.api.producer.HollowProducer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Catalog blobs in memory, for one JVM: a publisher and the consumers it feeds share one instance. Announcing a
 * version tells every subscribed consumer at once (no polling), as a push-based announcement would.
 */
public final class InMemoryCatalogBlobStore implements CatalogBlobStore {

    /** A delta or reverse delta: the versions it joins and its bytes. */
    private record Transition(long from, long to, byte[] bytes) {
    }

    private final NavigableMap<Long, byte[]> snapshots = new ConcurrentSkipListMap<>();
    private final Map<Long, Transition> deltas = new ConcurrentHashMap<>();
    private final Map<Long, Transition> reverseDeltas = new ConcurrentHashMap<>();
    private final List<HollowConsumer> subscribers = new CopyOnWriteArrayList<>();
    private volatile long announced = Long.MIN_VALUE;

    @Override
    public HollowProducer.Publisher publisher() {
        return new HollowProducer.Publisher() {
            @Override
            @SuppressWarnings("deprecation")
            public void publish(HollowProducer.Blob blob) {
                publish((HollowProducer.PublishArtifact) blob);
            }

            @Override
            public void publish(HollowProducer.PublishArtifact artifact) {
                // Header blobs are written only when a producer asks for them; this catalog's does not.
                if (artifact instanceof HollowProducer.Blob blob) {
                    store(blob);
                }
            }
        };
    }

    private void store(HollowProducer.Blob blob) {
        byte[] bytes;
        try (InputStream in = blob.newInputStream()) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read a staged catalog blob", e);
        }
        switch (blob.getType()) {
            case SNAPSHOT -> snapshots.put(blob.getToVersion(), bytes);
            case DELTA -> deltas.put(blob.getFromVersion(), new Transition(blob.getFromVersion(), blob.getToVersion(), bytes));
            case REVERSE_DELTA -> reverseDeltas.put(blob.getFromVersion(),
                    new Transition(blob.getFromVersion(), blob.getToVersion(), bytes));
        }
    }

    @Override
    public HollowProducer.Announcer announcer() {
        return version -> {
            announced = version;
            for (HollowConsumer consumer : subscribers) {
                try {
                    consumer.triggerAsyncRefresh();
                } catch (RejectedExecutionException closed) {
                    subscribers.remove(consumer); // a closed consumer's refresh executor is shut down
                }
            }
        };
    }

    @Override
    public HollowConsumer.BlobRetriever retriever() {
        return new HollowConsumer.BlobRetriever() {
            @Override
            public HollowConsumer.Blob retrieveSnapshotBlob(long desiredVersion) {
                // As the filesystem retriever: the latest snapshot at or before the desired version.
                Map.Entry<Long, byte[]> snapshot = snapshots.floorEntry(desiredVersion);
                return snapshot == null ? null : blob(new Transition(Long.MIN_VALUE, snapshot.getKey(), snapshot.getValue()));
            }

            @Override
            public HollowConsumer.Blob retrieveDeltaBlob(long currentVersion) {
                Transition delta = deltas.get(currentVersion);
                return delta == null ? null : blob(delta);
            }

            @Override
            public HollowConsumer.Blob retrieveReverseDeltaBlob(long currentVersion) {
                Transition reverse = reverseDeltas.get(currentVersion);
                return reverse == null ? null : blob(reverse);
            }
        };
    }

    private static HollowConsumer.Blob blob(Transition transition) {
        return new HollowConsumer.Blob(transition.from(), transition.to()) {
            @Override
            public InputStream getInputStream() {
                return new ByteArrayInputStream(transition.bytes());
            }
        };
    }

    @Override
    public HollowConsumer.AnnouncementWatcher watcher(ScheduledExecutorService poller) {
        return new HollowConsumer.AnnouncementWatcher() {
            @Override
            public long getLatestVersion() {
                long version = announced;
                return version == Long.MIN_VALUE ? NO_ANNOUNCEMENT_AVAILABLE : version;
            }

            @Override
            public void subscribeToUpdates(HollowConsumer consumer) {
                subscribers.add(consumer);
            }
        };
    }

    @Override
    public long announcedVersion() {
        return announced;
    }

    @Override
    public String describe() {
        return "memory";
    }

    @Override
    public String howToPublish() {
        return "publish one into this process's in-memory catalog store";
    }
}
