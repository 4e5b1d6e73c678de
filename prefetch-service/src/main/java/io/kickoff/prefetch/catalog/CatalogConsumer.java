package io.kickoff.prefetch.catalog;

import com.netflix.hollow.api.consumer.HollowConsumer;
import com.netflix.hollow.api.custom.HollowAPI;
import com.netflix.hollow.core.read.engine.HollowReadStateEngine;
import com.netflix.hollow.core.read.engine.HollowTypeReadState;
import io.kickoff.http.NamedThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.locks.Lock;
import java.util.function.Function;

/**
 * The catalog consumer: loads the announced snapshot, follows deltas as the announcement watcher reports new versions,
 * exposes the current {@link CatalogView} and tells {@link Listener}s which record keys each refresh changed.
 *
 * <h2>Changed keys</h2>
 * Hollow keeps an unchanged record at the same ordinal across a delta and gives a changed record a new one. After each
 * delta the consumer compares each keyed type's populated ordinals with its previous ordinals: an ordinal that
 * appeared is an added or modified record, one that disappeared a removed or modified one. The consumer keeps its own
 * key ↔ ordinal maps (which are also its primary-key index), so removed ordinals are resolved without reading removed
 * data. Work per refresh is proportional to the change. A snapshot load (initial, or a double snapshot) reports
 * {@link CatalogChange#fullReload()}.
 *
 * <h2>Consistency</h2>
 * Hollow applies deltas in place, under the consumer's refresh (write) lock. Each {@link CatalogView} call holds the
 * refresh read lock, so it sees one version; use {@link #read(Function)} to see one version across several calls.
 * Listeners run on the refresh thread while the refresh still holds the write lock: they may read the view on that
 * thread, but must not block waiting for another thread that reads it.
 */
public final class CatalogConsumer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CatalogConsumer.class);

    /** Notified after every successful refresh that changed the data. */
    @FunctionalInterface
    public interface Listener {
        void onRefresh(CatalogChange change, CatalogView view);
    }

    private final HollowConsumer consumer;
    private final CatalogBlobStore store;
    private final Lock readLock;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final List<ExecutorService> ownedExecutors = new ArrayList<>();
    private final CatalogView view = new View();

    // Mutated only on the refresh thread under the refresh write lock; read under the read lock.
    private final Map<String, Map<String, Integer>> keyToOrdinal = new HashMap<>();
    private final Map<String, Map<Integer, String>> ordinalToKey = new HashMap<>();
    private Map<String, List<CatalogView.Row>> rowsByTitle = Map.of();
    private Map<String, CatalogView.Segment> segments = Map.of();
    /** Per refresh: key → whether it existed when the refresh started, per type. */
    private Map<String, Map<String, Boolean>> touched = new HashMap<>();
    private boolean fullReload;

    /**
     * @param retriever reads snapshot and delta blobs
     * @param watcher   reports announced versions and triggers refreshes; {@code null} to refresh only on
     *                  {@link #refresh()} / {@link #refreshTo(long)}
     */
    private CatalogConsumer(HollowConsumer.BlobRetriever retriever, HollowConsumer.AnnouncementWatcher watcher,
                            ExecutorService ownedWatcherExecutor, CatalogBlobStore store) {
        this.store = store;
        ExecutorService refreshExecutor = Executors.newSingleThreadExecutor(NamedThreads.daemon("catalog-refresh"));
        ownedExecutors.add(refreshExecutor);
        if (ownedWatcherExecutor != null) {
            ownedExecutors.add(ownedWatcherExecutor);
        }
        HollowConsumer.Builder<?> builder = HollowConsumer.withBlobRetriever(Objects.requireNonNull(retriever))
                .withRefreshListener(new Tracker())
                .withRefreshExecutor(refreshExecutor);
        if (watcher != null) {
            builder.withAnnouncementWatcher(watcher);
        }
        this.consumer = builder.build();
        this.readLock = consumer.getRefreshLock();
    }

    /**
     * A consumer of a blob store that follows its announcements (a directory is polled every second). Add listeners,
     * then call {@link #refresh()} for the initial load.
     */
    public static CatalogConsumer open(CatalogBlobStore store) {
        ScheduledExecutorService watchExecutor = Executors.newSingleThreadScheduledExecutor(
                NamedThreads.daemon("catalog-announcement-watch"));
        try {
            return new CatalogConsumer(store.retriever(), store.watcher(watchExecutor), watchExecutor, store);
        } catch (RuntimeException e) {
            watchExecutor.shutdownNow();
            throw e;
        }
    }

    /** A consumer of a blob store that refreshes only when asked (no watcher). */
    static CatalogConsumer openStatic(CatalogBlobStore store) {
        return new CatalogConsumer(store.retriever(), null, null, store);
    }

    /** Where this consumer reads its blobs. */
    public CatalogBlobStore store() {
        return store;
    }

    public void addListener(Listener listener) {
        listeners.add(Objects.requireNonNull(listener));
    }

    /** Blocking refresh to the latest announced version (or the latest blob if there is no watcher). */
    public CatalogConsumer refresh() {
        consumer.triggerRefresh();
        return this;
    }

    /** Blocking refresh to a given version (forwards with deltas, or backwards with reverse deltas). */
    CatalogConsumer refreshTo(long version) {
        consumer.triggerRefreshTo(version);
        return this;
    }

    /** The current version, {@code Long.MIN_VALUE} before the first load. */
    public long version() {
        return consumer.getCurrentVersionId();
    }

    /** The live view of the current version (each call sees one version). */
    public CatalogView view() {
        return view;
    }

    /** Runs {@code reader} against one version: no refresh is applied while it runs. */
    public <T> T read(Function<CatalogView, T> reader) {
        readLock.lock();
        try {
            return reader.apply(view);
        } finally {
            readLock.unlock();
        }
    }

    /** The underlying Hollow consumer (metrics, state engine for tests and tools). */
    HollowConsumer hollowConsumer() {
        return consumer;
    }

    @Override
    public void close() {
        ownedExecutors.forEach(ExecutorService::shutdownNow);
    }

    // ---------------------------------------------------------------------------------------------------------------

    private HollowReadStateEngine engine() {
        return consumer.getStateEngine();
    }

    private Integer ordinal(String type, String key) {
        Map<String, Integer> m = keyToOrdinal.get(type);
        return m == null || key == null ? null : m.get(key);
    }

    private final class View implements CatalogView {

        private <T> T locked(Function<HollowReadStateEngine, T> f) {
            readLock.lock();
            try {
                return f.apply(engine());
            } finally {
                readLock.unlock();
            }
        }

        @Override
        public long version() {
            return consumer.getCurrentVersionId();
        }

        @Override
        public Optional<Title> title(String id) {
            return locked(e -> HollowCatalogView.ifPresent(ordinal(CatalogModel.TITLE, id),
                    o -> HollowCatalogView.title(e, o)));
        }

        @Override
        public Optional<Artwork> artwork(String id) {
            return locked(e -> HollowCatalogView.ifPresent(ordinal(CatalogModel.ARTWORK, id),
                    o -> HollowCatalogView.artwork(e, o)));
        }

        @Override
        public Optional<LiveEventInfo> liveEvent(String eventId) {
            return locked(e -> HollowCatalogView.ifPresent(ordinal(CatalogModel.LIVE_EVENT, eventId),
                    o -> HollowCatalogView.liveEvent(e, o)));
        }

        @Override
        public List<Row> rowsWithTitle(String titleId) {
            return locked(e -> rowsByTitle.getOrDefault(titleId, List.of()));
        }

        @Override
        public Optional<Segment> segment(String id) {
            return locked(e -> Optional.ofNullable(segments.get(id)));
        }

        @Override
        public List<Segment> segments() {
            return locked(e -> List.copyOf(segments.values()));
        }
    }

    private final class Tracker extends HollowConsumer.AbstractRefreshListener {

        @Override
        public void refreshStarted(long currentVersion, long requestedVersion) {
            touched = new HashMap<>();
            fullReload = false;
        }

        @Override
        public void snapshotUpdateOccurred(HollowAPI api, HollowReadStateEngine stateEngine, long version) {
            fullReload = true;
            for (String type : CatalogModel.KEYED_TYPES) {
                Map<String, Integer> oldKeys = keyToOrdinal.getOrDefault(type, Map.of());
                Map<String, Integer> k2o = new HashMap<>();
                Map<Integer, String> o2k = new HashMap<>();
                HollowTypeReadState ts = stateEngine.getTypeState(type);
                if (ts != null) {
                    String field = CatalogModel.keyField(type);
                    BitSet populated = ts.getPopulatedOrdinals();
                    for (int o = populated.nextSetBit(0); o >= 0; o = populated.nextSetBit(o + 1)) {
                        String key = new com.netflix.hollow.api.objects.generic.GenericHollowObject(stateEngine, type, o)
                                .getString(field);
                        k2o.put(key, o);
                        o2k.put(o, key);
                    }
                }
                Map<String, Boolean> t = touched.computeIfAbsent(type, x -> new HashMap<>());
                for (String key : oldKeys.keySet()) {
                    t.putIfAbsent(key, true);
                }
                for (String key : k2o.keySet()) {
                    t.putIfAbsent(key, oldKeys.containsKey(key));
                }
                keyToOrdinal.put(type, k2o);
                ordinalToKey.put(type, o2k);
            }
            rebuildRows(stateEngine);
            rebuildSegments(stateEngine);
        }

        @Override
        public void deltaUpdateOccurred(HollowAPI api, HollowReadStateEngine stateEngine, long version) {
            for (String type : CatalogModel.KEYED_TYPES) {
                HollowTypeReadState ts = stateEngine.getTypeState(type);
                if (ts == null) {
                    continue;
                }
                BitSet populated = ts.getPopulatedOrdinals();
                BitSet previous = ts.getPreviousOrdinals();
                BitSet added = (BitSet) populated.clone();
                added.andNot(previous);
                BitSet removed = (BitSet) previous.clone();
                removed.andNot(populated);
                if (added.isEmpty() && removed.isEmpty()) {
                    continue;
                }
                Map<String, Integer> k2o = keyToOrdinal.computeIfAbsent(type, x -> new HashMap<>());
                Map<Integer, String> o2k = ordinalToKey.computeIfAbsent(type, x -> new HashMap<>());
                Map<String, Boolean> t = touched.computeIfAbsent(type, x -> new HashMap<>());
                for (int o = removed.nextSetBit(0); o >= 0; o = removed.nextSetBit(o + 1)) {
                    String key = o2k.remove(o);
                    if (key != null) {
                        t.putIfAbsent(key, true);
                        k2o.remove(key, o);
                    }
                }
                String field = CatalogModel.keyField(type);
                for (int o = added.nextSetBit(0); o >= 0; o = added.nextSetBit(o + 1)) {
                    String key = new com.netflix.hollow.api.objects.generic.GenericHollowObject(stateEngine, type, o)
                            .getString(field);
                    t.putIfAbsent(key, k2o.containsKey(key));
                    k2o.put(key, o);
                    o2k.put(o, key);
                }
                if (CatalogModel.ROW.equals(type)) {
                    rebuildRows(stateEngine);
                } else if (CatalogModel.SEGMENT.equals(type)) {
                    rebuildSegments(stateEngine);
                }
            }
        }

        @Override
        public void refreshSuccessful(long beforeVersion, long afterVersion, long requestedVersion) {
            Map<String, CatalogChange.TypeChange> types = new LinkedHashMap<>();
            for (var entry : touched.entrySet()) {
                Map<String, Integer> now = keyToOrdinal.getOrDefault(entry.getKey(), Map.of());
                Set<String> added = new HashSet<>();
                Set<String> removed = new HashSet<>();
                Set<String> modified = new HashSet<>();
                entry.getValue().forEach((key, before) -> {
                    boolean after = now.containsKey(key);
                    if (before && after) {
                        modified.add(key);
                    } else if (after) {
                        added.add(key);
                    } else if (before) {
                        removed.add(key);
                    }
                });
                if (!added.isEmpty() || !removed.isEmpty() || !modified.isEmpty()) {
                    types.put(entry.getKey(), new CatalogChange.TypeChange(added, removed, modified));
                }
            }
            touched = new HashMap<>();
            if (beforeVersion == afterVersion) {
                return;
            }
            CatalogChange change = new CatalogChange(beforeVersion, afterVersion, fullReload, types);
            log.info("catalog refreshed {} -> {}{}: {}", beforeVersion, afterVersion, fullReload ? " (snapshot)" : "",
                    summary(change));
            for (Listener l : listeners) {
                try {
                    l.onRefresh(change, view);
                } catch (RuntimeException e) {
                    log.warn("catalog listener failed", e);
                }
            }
        }

        @Override
        public void refreshFailed(long beforeVersion, long afterVersion, long requestedVersion, Throwable failureCause) {
            touched = new HashMap<>();
            // One line: the caller of a failed refresh is told too (a node that cannot start says it in one line).
            log.warn("catalog refresh {} -> {} failed: {}", beforeVersion, requestedVersion, failureCause.toString());
            log.debug("catalog refresh {} -> {} failed", beforeVersion, requestedVersion, failureCause);
        }
    }

    private static String summary(CatalogChange change) {
        StringBuilder sb = new StringBuilder();
        change.types().forEach((type, c) -> sb.append(type).append(" +").append(c.added().size())
                .append(" -").append(c.removed().size()).append(" ~").append(c.modified().size()).append("; "));
        return sb.length() == 0 ? "no record changes" : sb.toString();
    }

    private void rebuildRows(HollowReadStateEngine engine) {
        Map<Integer, String> rows = ordinalToKey.getOrDefault(CatalogModel.ROW, Map.of());
        List<HollowCatalogView.PositionedRow> all = new ArrayList<>(rows.size());
        for (int o : rows.keySet()) {
            all.add(HollowCatalogView.row(engine, o));
        }
        all.sort(Comparator.comparingInt(HollowCatalogView.PositionedRow::position)
                .thenComparing(r -> r.row().id()));
        Map<String, List<CatalogView.Row>> byTitle = new HashMap<>();
        for (HollowCatalogView.PositionedRow pr : all) {
            for (String titleId : new java.util.LinkedHashSet<>(pr.row().titleIds())) {
                byTitle.computeIfAbsent(titleId, x -> new ArrayList<>()).add(pr.row());
            }
        }
        byTitle.replaceAll((k, v) -> List.copyOf(v));
        rowsByTitle = byTitle;
    }

    private void rebuildSegments(HollowReadStateEngine engine) {
        Map<Integer, String> segs = ordinalToKey.getOrDefault(CatalogModel.SEGMENT, Map.of());
        List<CatalogView.Segment> all = new ArrayList<>(segs.size());
        for (int o : segs.keySet()) {
            all.add(HollowCatalogView.segment(engine, o));
        }
        all.sort(Comparator.comparing(CatalogView.Segment::id));
        Map<String, CatalogView.Segment> byId = new LinkedHashMap<>();
        all.forEach(s -> byId.put(s.id(), s));
        segments = byId;
    }
}
