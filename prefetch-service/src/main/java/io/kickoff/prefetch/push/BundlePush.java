package io.kickoff.prefetch.push;

import com.google.protobuf.InvalidProtocolBufferException;
import io.kickoff.bus.BusRecord;
import io.kickoff.bus.EventBus;
import io.kickoff.bus.StartFrom;
import io.kickoff.bus.Subscription;
import io.kickoff.bus.Topic;
import io.kickoff.http.NamedThreads;
import io.kickoff.prefetch.bundle.BundleKey;
import io.kickoff.prefetch.bundle.BundleStore;
import io.kickoff.prefetch.bundle.Materializer;
import io.kickoff.prefetch.catalog.CatalogChange;
import io.kickoff.prefetch.catalog.CatalogModel;
import io.kickoff.prefetch.catalog.CatalogView;
import io.kickoff.protocol.Stages;
import io.kickoff.protocol.Timestamps;
import io.kickoff.protocol.v1.Bundle;
import io.kickoff.protocol.v1.StageUpdate;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the bundles of active events materialized, stored and announced.
 *
 * <p>Reads {@code kickoff.stages} from the beginning (compacted: the current stage of every event).
 * When an event is in {@code PREFETCH}, {@code PRE_SHOW} or {@code LIVE}, each (event, segment) of
 * its audience is materialized; a bundle whose version differs from the stored one is put in the
 * store and published on {@code kickoff.bundles} (key {@code event:segment}, value the bundle
 * bytes). So a bundle is pushed when the event enters {@code PREFETCH} and again whenever its
 * version changes while the event is active — on a stage update or on {@link #onCatalogChanged()}.
 * Nodes sharing a store therefore publish a version once in the common case (a duplicate on the
 * compacted topic is harmless). On {@code ENDED} or {@code CANCELLED} the event's bundles are
 * removed from the store. Stale updates (seq not above the last seen) are ignored.
 *
 * <p>An event's bundles are published in the order {@link PushPriorities} gives, largest expected audience first,
 * each publish after the previous one was accepted, and each carries the part of the gateways' push window its
 * segment's push is spread over ({@code push_window_permille}; left unset for the whole window). The store keeps
 * bundles without it: the bundle API serves them as the gateways send them.
 *
 * <p>All work runs on one worker thread, never on the bus's delivery thread.
 */
public final class BundlePush implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BundlePush.class);
    private static final Duration MIN_TTL = Duration.ofSeconds(1);

    private final EventBus bus;
    private final BundleStore store;
    private final Materializer materializer;
    private final Supplier<CatalogView> catalog;
    private final Clock clock;
    private final PushPriorities priorities;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(NamedThreads.daemon("bundle-push"));
    /** Latest update of every event seen (active or not), by event id. */
    private final Map<String, StageUpdate> events = new ConcurrentHashMap<>();
    private volatile Subscription subscription;

    /** Without an audience: every event's bundles in equal shares, each pushed over the whole window. */
    public BundlePush(EventBus bus, BundleStore store, Materializer materializer, Supplier<CatalogView> catalog,
                      Clock clock) {
        this(bus, store, materializer, catalog, clock,
                new PushPriorities(AudienceFeed.NONE, PushPacing.defaults(), clock, new SimpleMeterRegistry()));
    }

    public BundlePush(EventBus bus, BundleStore store, Materializer materializer, Supplier<CatalogView> catalog,
                      Clock clock, PushPriorities priorities) {
        this.bus = bus;
        this.store = store;
        this.materializer = materializer;
        this.catalog = catalog;
        this.clock = clock;
        this.priorities = java.util.Objects.requireNonNull(priorities, "priorities");
    }

    /** Subscribes to {@code kickoff.stages}; the returned future completes once the topic's backlog has been read. */
    public CompletableFuture<Void> start() {
        subscription = bus.subscribe(Topic.STAGES, StartFrom.BEGINNING, this::onRecord);
        return subscription.caughtUp();
    }

    private void onRecord(BusRecord record) {
        StageUpdate update;
        try {
            update = StageUpdate.parseFrom(record.value());
        } catch (InvalidProtocolBufferException e) {
            log.warn("unreadable stage update at offset {} ignored: {}", record.offset(), e.getMessage());
            return;
        }
        handle(update);
    }

    /** Processes one stage update; completes with the bundles published because of it. */
    public CompletableFuture<List<Bundle>> handle(StageUpdate update) {
        return submit(() -> {
            StageUpdate previous = events.get(update.getEventId());
            if (previous != null && update.getSeq() < previous.getSeq()) {
                return CompletableFuture.completedFuture(List.of());
            }
            events.put(update.getEventId(), update);
            if (Stages.isPrefetched(update.getStage())) {
                return refresh(update);
            }
            if (Stages.isFinal(update.getStage())) {
                return removeAll(update).thenApply(v -> List.of());
            }
            return CompletableFuture.completedFuture(List.of());
        });
    }

    /** Re-materializes every active event against the current catalog; completes with the bundles published. */
    public CompletableFuture<List<Bundle>> onCatalogChanged() {
        return submit(() -> {
            List<CompletableFuture<List<Bundle>>> all = new ArrayList<>();
            for (StageUpdate update : events.values()) {
                if (Stages.isPrefetched(update.getStage())) {
                    all.add(refresh(update));
                }
            }
            return flatten(all);
        });
    }

    /**
     * Re-materializes only the active events whose inputs the catalog change touched: the event's
     * metadata, its title, the rows that contain its title and the titles in them, or any segment.
     * (Changes to artwork and cast reach here as changes of the titles and events that use them.)
     * A full reload re-materializes everything. Completes with the bundles published.
     */
    public CompletableFuture<List<Bundle>> onCatalogChanged(CatalogChange change) {
        if (change.fullReload() || !change.changedKeys(CatalogModel.SEGMENT).isEmpty()) {
            return onCatalogChanged();
        }
        return submit(() -> {
            CatalogView view = catalog.get();
            List<CompletableFuture<List<Bundle>>> affected = new ArrayList<>();
            for (StageUpdate update : events.values()) {
                if (Stages.isPrefetched(update.getStage()) && view != null && touches(change, update.getEventId(), view)) {
                    affected.add(refresh(update));
                }
            }
            return flatten(affected);
        });
    }

    static boolean touches(CatalogChange change, String eventId, CatalogView view) {
        if (change.changedKeys(CatalogModel.LIVE_EVENT).contains(eventId)) {
            return true;
        }
        java.util.Optional<CatalogView.LiveEventInfo> event = view.liveEvent(eventId);
        if (event.isEmpty()) {
            return false;
        }
        java.util.Set<String> titles = change.changedKeys(CatalogModel.TITLE);
        java.util.Set<String> rows = change.changedKeys(CatalogModel.ROW);
        String titleId = event.get().titleId();
        if (titles.contains(titleId)) {
            return true;
        }
        // A changed row may have gained or lost the event's title, which the current view alone cannot
        // tell: any row change counts (rows change rarely; titles and events are the bulk of deltas).
        if (!rows.isEmpty()) {
            return true;
        }
        for (CatalogView.Row row : view.rowsWithTitle(titleId)) {
            if (row.titleIds().stream().anyMatch(titles::contains)) {
                return true;
            }
        }
        return false;
    }

    /** Events currently in PREFETCH, PRE_SHOW or LIVE, as their latest update. */
    List<StageUpdate> activeEvents() {
        return events.values().stream().filter(u -> Stages.isPrefetched(u.getStage())).toList();
    }

    private CompletableFuture<List<Bundle>> refresh(StageUpdate update) {
        CatalogView view = catalog.get();
        if (view == null) {
            log.warn("no catalog yet: bundles of {} not materialized", update.getEventId());
            return CompletableFuture.completedFuture(List.of());
        }
        PushPlan plan = priorities.plan(update.getEventId(), materializer.audience(update, view));
        // Stored side by side (Redis round trips overlap), then published one after the other in the plan's order.
        List<CompletableFuture<Optional<Bundle>>> changed = new ArrayList<>();
        for (String segment : plan.order()) {
            materializer.materialize(update, segment, view).ifPresent(bundle -> changed.add(storeIfChanged(bundle)));
        }
        return CompletableFuture.allOf(changed.toArray(CompletableFuture[]::new)).thenCompose(v -> {
            CompletableFuture<List<Bundle>> published = CompletableFuture.completedFuture(new ArrayList<>());
            for (CompletableFuture<Optional<Bundle>> stored : changed) {
                Optional<Bundle> bundle = stored.join();
                if (bundle.isPresent()) {
                    Bundle paced = paced(bundle.get(), plan.windowPermille(bundle.get().getSegment()));
                    published = published.thenCompose(list -> publish(paced).thenApply(ok -> {
                        if (ok) {
                            list.add(paced);
                        }
                        return list;
                    }));
                }
            }
            return published;
        }).thenApply(list -> {
            priorities.pushed(plan, list.stream().map(Bundle::getSegment).toList());
            return List.copyOf(list);
        });
    }

    /** The bundle as published: with its part of the push window, unless that is the whole window (the default). */
    private static Bundle paced(Bundle bundle, int windowPermille) {
        return windowPermille >= PushPlan.WHOLE_WINDOW ? bundle
                : bundle.toBuilder().setPushWindowPermille(windowPermille).build();
    }

    /** Puts the bundle in the store if its version differs from the stored one; completes with it if so. */
    private CompletableFuture<Optional<Bundle>> storeIfChanged(Bundle bundle) {
        BundleKey key = BundleKey.of(bundle);
        return store.get(key.eventId(), key.segment()).thenCompose(stored -> {
            if (stored.isPresent() && stored.get().getVersion().equals(bundle.getVersion())) {
                return CompletableFuture.completedFuture(Optional.<Bundle>empty());
            }
            Duration ttl = Duration.between(clock.instant(), Timestamps.toInstant(bundle.getExpiresAt()));
            if (ttl.compareTo(MIN_TTL) < 0) {
                ttl = MIN_TTL;
            }
            return store.put(bundle, ttl).thenApply(v -> Optional.of(bundle));
        }).exceptionally(e -> {
            log.warn("bundle {} version {} not pushed: {}", key.busKey(), bundle.getVersion(), e.toString());
            return Optional.empty();
        });
    }

    /** Publishes on {@code kickoff.bundles}; completes with whether the bus accepted it (never exceptionally). */
    private CompletableFuture<Boolean> publish(Bundle bundle) {
        BundleKey key = BundleKey.of(bundle);
        CompletableFuture<Void> sent;
        try {
            sent = bus.publish(Topic.BUNDLES, key.busKey(), bundle.toByteArray());
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        return sent.handle((v, e) -> {
            if (e != null) {
                log.warn("bundle {} version {} not pushed: {}", key.busKey(), bundle.getVersion(), e.toString());
                return false;
            }
            return true;
        });
    }

    private CompletableFuture<Void> removeAll(StageUpdate update) {
        CatalogView view = catalog.get();
        if (view == null) {
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.allOf(materializer.audience(update, view).stream()
                .map(segment -> store.remove(update.getEventId(), segment))
                .toArray(CompletableFuture[]::new));
    }

    private CompletableFuture<List<Bundle>> submit(Supplier<CompletableFuture<List<Bundle>>> work) {
        return CompletableFuture.supplyAsync(work, worker).thenCompose(f -> f);
    }

    private static CompletableFuture<List<Bundle>> flatten(List<CompletableFuture<List<Bundle>>> futures) {
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                .thenApply(v -> futures.stream().flatMap(f -> f.join().stream()).toList());
    }

    @Override
    public void close() {
        Subscription s = subscription;
        if (s != null) {
            s.close();
        }
        worker.shutdownNow();
    }
}
