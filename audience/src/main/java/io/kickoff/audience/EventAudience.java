package io.kickoff.audience;

import com.google.protobuf.Timestamp;
import io.kickoff.bus.Topic;
import io.kickoff.protocol.v1.AccountStreams;
import io.kickoff.protocol.v1.AudienceSnapshot;
import io.kickoff.protocol.v1.BroadcastPlays;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The event stage, on the partitions of the {@code audience-changes} repartition topic (keyed by event, or by account):
 * sums the devices' deltas, matches first plays with broadcasts, and publishes snapshots every tick of the wall clock.
 */
final class EventAudience implements Processor<String, AudienceChange, String, AudienceOutput> {
    static final String COUNTS = "audience-counts";
    static final String BROADCASTS = "audience-broadcasts";
    static final String FIRST_PLAYS = "audience-first-plays";
    static final String ACCOUNTS = "audience-accounts";

    private final AudienceSettings settings;
    private ProcessorContext<String, AudienceOutput> context;
    /** event id → viewers; event id + SEP + segment → viewers in the segment. Zero counts are deleted. */
    private KeyValueStore<String, Long> counts;
    /** event id → its latest broadcasts, oldest first. */
    private KeyValueStore<String, BroadcastList> broadcasts;
    /** event id + SEP + time → first plays at that millisecond. */
    private KeyValueStore<String, Long> firstPlays;
    private KeyValueStore<String, Long> accounts;
    /** Events whose snapshot changed since the last one published; all of them after a restart. */
    private final Set<String> changed = new LinkedHashSet<>();
    private boolean restarted = true;

    EventAudience(AudienceSettings settings) {
        this.settings = settings;
    }

    @Override
    public void init(ProcessorContext<String, AudienceOutput> context) {
        this.context = context;
        this.counts = context.getStateStore(COUNTS);
        this.broadcasts = context.getStateStore(BROADCASTS);
        this.firstPlays = context.getStateStore(FIRST_PLAYS);
        this.accounts = context.getStateStore(ACCOUNTS);
        context.schedule(settings.tick(), PunctuationType.WALL_CLOCK_TIME, this::publish);
    }

    @Override
    public void process(Record<String, AudienceChange> record) {
        AudienceChange change = record.value();
        if (change instanceof AudienceChange.ViewerDelta d) {
            add(counts, d.eventId(), d.delta());
            add(counts, StoreKeys.join(d.eventId(), d.segment()), d.delta());
            changed.add(d.eventId());
        } else if (change instanceof AudienceChange.FirstPlay p) {
            add(firstPlays, StoreKeys.join(p.eventId(), StoreKeys.time(p.atMs())), 1);
            changed.add(p.eventId());
        } else if (change instanceof AudienceChange.Broadcast b) {
            BroadcastList known = broadcasts.get(b.eventId());
            broadcasts.put(b.eventId(), (known == null ? BroadcastList.EMPTY : known).with(b, AudienceSettings.BROADCASTS_KEPT));
            changed.add(b.eventId());
        } else if (change instanceof AudienceChange.StreamDelta s) {
            long streams = add(accounts, s.account(), s.delta());
            byte[] value = streams == 0 ? null : AccountStreams.newBuilder().setAccount(s.account())
                    .setStreams((int) streams).setAt(timestamp(record.timestamp())).build().toByteArray();
            context.forward(new Record<>(s.account(), new AudienceOutput(Topic.AUDIENCE_ACCOUNTS, value), record.timestamp()));
        }
    }

    /** Adds to a count, deleting it at zero (never below: a count cannot go negative), and returns the new count. */
    private static long add(KeyValueStore<String, Long> store, String key, long delta) {
        Long before = store.get(key);
        long after = Math.max(0, (before == null ? 0 : before) + delta);
        if (after == 0) {
            store.delete(key);
        } else {
            store.put(key, after);
        }
        return after;
    }

    private void publish(long wallMs) {
        Set<String> events = new HashSet<>(changed);
        List<String> watched = new ArrayList<>();
        try (KeyValueIterator<String, Long> all = counts.all()) {
            while (all.hasNext()) {
                String key = all.next().key;
                if (StoreKeys.legalPart(key)) {
                    watched.add(key);
                }
            }
        }
        events.addAll(watched);
        if (restarted) {
            try (KeyValueIterator<String, BroadcastList> all = broadcasts.all()) {
                all.forEachRemaining(kv -> events.add(kv.key));
            }
            restarted = false;
        }
        for (String eventId : events) {
            pruneFirstPlays(eventId, wallMs);
            byte[] snapshot = snapshot(eventId, wallMs).toByteArray();
            if (changed.contains(eventId)) {
                context.forward(new Record<>(eventId, new AudienceOutput(Topic.AUDIENCE, snapshot), wallMs));
            }
            context.forward(new Record<>(eventId, new AudienceOutput(Topic.AUDIENCE_SERIES, snapshot), wallMs));
        }
        changed.clear();
    }

    AudienceSnapshot snapshot(String eventId, long atMs) {
        Long viewers = counts.get(eventId);
        AudienceSnapshot.Builder snapshot = AudienceSnapshot.newBuilder().setEventId(eventId).setAt(timestamp(atMs))
                .setViewers(viewers == null ? 0 : viewers);
        String prefix = StoreKeys.join(eventId, "");
        try (KeyValueIterator<String, Long> segments = counts.range(prefix, StoreKeys.afterPrefix(eventId))) {
            segments.forEachRemaining(kv -> snapshot.putSegments(kv.key.substring(prefix.length()), kv.value));
        }
        BroadcastList known = broadcasts.get(eventId);
        if (known != null) {
            long window = settings.playWindow().toMillis();
            for (AudienceChange.Broadcast b : known.broadcasts()) {
                snapshot.addBroadcasts(BroadcastPlays.newBuilder().setSeq(b.seq()).setStage(b.stage())
                        .setIssuedAt(timestamp(b.issuedAtMs())).setWindowMs((int) window)
                        .setPlays(firstPlaysBetween(eventId, b.issuedAtMs(), b.issuedAtMs() + window)));
            }
        }
        return snapshot.build();
    }

    /** First plays of the event in [from, to). */
    private long firstPlaysBetween(String eventId, long fromMs, long toMs) {
        long plays = 0;
        try (KeyValueIterator<String, Long> range = firstPlays.range(StoreKeys.join(eventId, StoreKeys.time(fromMs)),
                StoreKeys.join(eventId, StoreKeys.time(toMs - 1)))) {
            while (range.hasNext()) {
                plays += range.next().value;
            }
        }
        return plays;
    }

    private void pruneFirstPlays(String eventId, long wallMs) {
        List<String> old = new ArrayList<>();
        try (KeyValueIterator<String, Long> range = firstPlays.range(StoreKeys.join(eventId, StoreKeys.time(0)),
                StoreKeys.join(eventId, StoreKeys.time(wallMs - settings.playRetention().toMillis())))) {
            range.forEachRemaining(kv -> old.add(kv.key));
        }
        old.forEach(firstPlays::delete);
    }

    static Timestamp timestamp(long ms) {
        return Timestamp.newBuilder().setSeconds(Math.floorDiv(ms, 1000)).setNanos((int) Math.floorMod(ms, 1000) * 1_000_000).build();
    }
}
