package io.kickoff.lsm.audience;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import io.kickoff.bus.BusRecord;
import io.kickoff.bus.EventBus;
import io.kickoff.bus.StartFrom;
import io.kickoff.bus.Subscription;
import io.kickoff.bus.Topic;
import io.kickoff.protocol.v1.AudienceSnapshot;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.StageUpdate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audience of events, fed from the bus: the latest {@code AudienceSnapshot} of each event from
 * {@code kickoff.audience} (compacted, read from the beginning) and one point per second from
 * {@code kickoff.audience.series} (read from the beginning of what the topic still holds, the last hour kept).
 * The stages of events, from {@code kickoff.stages}, say which events the platform knows and which have ended.
 *
 * <p>Bounded, whatever the topics carry (the event ids in them come from devices' viewing signals):
 * <ul>
 *   <li>per event, a ring of {@link #SERIES_POINTS} one-second slots: a second holds the newest snapshot of that
 *       second; points more than an hour old (by the clock) are not kept or shown;</li>
 *   <li>at most {@link #MAX_SEGMENTS} segments per event in the series (viewers beyond them still count in the
 *       total; the latest snapshot keeps every segment it has);</li>
 *   <li>at most {@link #MAX_EVENTS} events; a new event past the cap takes the place of an event the platform does not
 *       know (no stage update), else of the event heard from least recently, and is dropped if it is older still;</li>
 *   <li>an event whose newest snapshot is more than an hour old (by the clock) is forgotten.</li>
 * </ul>
 *
 * <p>Thread-safe: each topic's records arrive on its subscription's thread; readers are admin API event loops.
 */
public final class BusAudienceView implements AudienceView, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BusAudienceView.class);
    /** How far back the series goes, and how long an event stays after its newest snapshot. */
    public static final Duration KEPT = Duration.ofHours(1);
    /** One slot per second of {@link #KEPT}. */
    public static final int SERIES_POINTS = (int) KEPT.toSeconds();
    /** Events kept at once. */
    public static final int MAX_EVENTS = 32;
    /** Segments per event broken down in the series. */
    public static final int MAX_SEGMENTS = 50;

    private final Clock clock;
    private final Map<String, Track> tracks = new HashMap<>();
    // event id → its current stage, from kickoff.stages
    private final Map<String, Stage> stages = new ConcurrentHashMap<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();

    public BusAudienceView(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A view subscribed to the audience topics and the stages on {@code bus}; closing it ends the subscriptions. */
    public static BusAudienceView subscribe(EventBus bus, Clock clock) {
        BusAudienceView view = new BusAudienceView(clock);
        try {
            view.subscriptions.add(bus.subscribe(Topic.STAGES, StartFrom.BEGINNING, view::onStageRecord));
            view.subscriptions.add(bus.subscribe(Topic.AUDIENCE, StartFrom.BEGINNING, view::onAudienceRecord));
            view.subscriptions.add(bus.subscribe(Topic.AUDIENCE_SERIES, StartFrom.BEGINNING, view::onSeriesRecord));
        } catch (RuntimeException e) {
            view.close();
            throw e;
        }
        return view;
    }

    /** Called after each record that changed the view (on the bus's thread): the metrics follow it. */
    public void onChange(Runnable listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public boolean available() {
        return true;
    }

    // ---------------------------------------------------------------- records

    /** One record of {@code kickoff.audience}: the event's latest snapshot; a tombstone forgets it. Never throws. */
    public void onAudienceRecord(BusRecord record) {
        if (record.value() == null) {
            if (record.key() != null) {
                synchronized (this) {
                    tracks.remove(record.key());
                }
                changed();
            }
            return;
        }
        snapshot(record).ifPresent(s -> {
            synchronized (this) {
                Track track = track(s.eventId(), s.at());
                if (track != null) {
                    track.latest(s);
                }
            }
            changed();
        });
    }

    /** One record of {@code kickoff.audience.series}: a point of the event's series (and maybe its latest). Never throws. */
    public void onSeriesRecord(BusRecord record) {
        snapshot(record).ifPresent(s -> {
            synchronized (this) {
                Track track = track(s.eventId(), s.at());
                if (track != null) {
                    track.point(s);
                    track.latest(s);
                }
            }
            changed();
        });
    }

    /** One record of {@code kickoff.stages}: the event's current stage. Never throws. */
    public void onStageRecord(BusRecord record) {
        if (record.value() == null) {
            if (record.key() != null) {
                stages.remove(record.key());
            }
            return;
        }
        try {
            StageUpdate update = StageUpdate.parseFrom(record.value());
            String id = update.getEventId().isEmpty() ? record.key() : update.getEventId();
            if (id != null && !id.isEmpty()) {
                stages.put(id, update.getStage());
                changed();
            }
        } catch (InvalidProtocolBufferException e) {
            log.warn("unreadable stage update {} (offset {}) skipped: {}", record.key(), record.offset(), e.getMessage());
        }
    }

    private Optional<EventAudience.Snapshot> snapshot(BusRecord record) {
        if (record.value() == null) {
            return Optional.empty();
        }
        AudienceSnapshot s;
        try {
            s = AudienceSnapshot.parseFrom(record.value());
        } catch (InvalidProtocolBufferException e) {
            log.warn("unreadable audience snapshot {} on {} (offset {}) skipped: {}", record.key(), record.topic().name(),
                    record.offset(), e.getMessage());
            return Optional.empty();
        }
        String id = s.getEventId().isEmpty() ? record.key() : s.getEventId();
        if (id == null || id.isEmpty() || !s.hasAt()) {
            log.debug("audience snapshot {} (offset {}) without an event id or a time skipped", record.key(), record.offset());
            return Optional.empty();
        }
        List<EventAudience.BroadcastPlays> broadcasts = s.getBroadcastsList().stream()
                .map(b -> new EventAudience.BroadcastPlays(b.getSeq(), b.getStage(), instant(b.getIssuedAt()), b.getPlays(),
                        Duration.ofMillis(b.getWindowMs())))
                .toList();
        return Optional.of(new EventAudience.Snapshot(id, instant(s.getAt()), s.getViewers(), new TreeMap<>(s.getSegmentsMap()),
                broadcasts));
    }

    private static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

    private void changed() {
        for (Runnable listener : listeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                log.warn("audience listener failed", e);
            }
        }
    }

    /** The event's track, made room for if need be; null if the point is too old or the event does not fit. */
    private Track track(String eventId, Instant at) {
        Instant horizon = clock.instant().minus(KEPT);
        if (at.isBefore(horizon)) {
            return null;
        }
        forgetOlderThan(horizon);
        Track track = tracks.get(eventId);
        if (track != null) {
            return track;
        }
        if (tracks.size() >= MAX_EVENTS) {
            // Events the platform does not know go first, then the one heard from least recently.
            Map.Entry<String, Track> victim = tracks.entrySet().stream()
                    .min(Comparator.<Map.Entry<String, Track>, Boolean>comparing(e -> stages.containsKey(e.getKey()))
                            .thenComparing(e -> e.getValue().lastHeard()))
                    .orElseThrow();
            boolean newcomerKnown = stages.containsKey(eventId);
            boolean victimKnown = stages.containsKey(victim.getKey());
            if (victimKnown && (!newcomerKnown || !at.isAfter(victim.getValue().lastHeard()))) {
                log.debug("audience of {} not kept: {} events kept already", eventId, MAX_EVENTS);
                return null;
            }
            tracks.remove(victim.getKey());
        }
        track = new Track();
        tracks.put(eventId, track);
        return track;
    }

    private void forgetOlderThan(Instant horizon) {
        tracks.values().removeIf(t -> t.lastHeard().isBefore(horizon));
    }

    // ---------------------------------------------------------------- reads

    @Override
    public synchronized EventAudience of(String eventId, Optional<Instant> since) {
        Instant horizon = clock.instant().minus(KEPT);
        forgetOlderThan(horizon);
        Track track = tracks.get(eventId);
        if (track == null) {
            return EventAudience.none(eventId);
        }
        Instant from = since.filter(s -> s.isAfter(horizon)).orElse(horizon);
        return new EventAudience(eventId, Optional.ofNullable(track.latest), track.series(from, horizon));
    }

    @Override
    public synchronized List<EventAudience.Snapshot> latest() {
        forgetOlderThan(clock.instant().minus(KEPT));
        return tracks.values().stream().map(t -> t.latest).filter(Objects::nonNull)
                .sorted(Comparator.comparing(EventAudience.Snapshot::at).reversed()).toList();
    }

    /**
     * The latest snapshot of each event the platform knows (it has a stage update) and that has not ended or been
     * cancelled, most recent first: what the metrics expose.
     */
    public List<EventAudience.Snapshot> running() {
        return latest().stream().filter(s -> {
            Stage stage = stages.get(s.eventId());
            return stage != null && stage != Stage.ENDED && stage != Stage.CANCELLED;
        }).toList();
    }

    @Override
    public void close() {
        for (Subscription s : subscriptions) {
            s.close();
        }
        subscriptions.clear();
    }

    /** One event: its latest snapshot and a ring of one-second slots (slot = epoch second modulo the ring size). */
    private static final class Track {
        private final List<String> segmentNames = new ArrayList<>();
        private final Map<String, Integer> segmentIndex = new HashMap<>();
        private final long[] atMillis = new long[SERIES_POINTS];
        private final long[] viewers = new long[SERIES_POINTS];
        private final long[][] segmentViewers = new long[SERIES_POINTS][];
        private long newestSecond = Long.MIN_VALUE;
        private EventAudience.Snapshot latest;

        Track() {
            Arrays.fill(atMillis, Long.MIN_VALUE);
        }

        /** The newest of what is held and {@code s}, by time (the later record wins a tie). */
        void latest(EventAudience.Snapshot s) {
            if (latest == null || !s.at().isBefore(latest.at())) {
                latest = s;
            }
        }

        Instant lastHeard() {
            Instant point = newestSecond == Long.MIN_VALUE ? Instant.MIN : Instant.ofEpochSecond(newestSecond);
            return latest != null && latest.at().isAfter(point) ? latest.at() : point;
        }

        void point(EventAudience.Snapshot s) {
            long millis = s.at().toEpochMilli();
            long second = Math.floorDiv(millis, 1000);
            if (newestSecond != Long.MIN_VALUE && second <= newestSecond - SERIES_POINTS) {
                return; // older than anything the ring holds
            }
            int slot = (int) Math.floorMod(second, (long) SERIES_POINTS);
            if (Math.floorDiv(atMillis[slot], 1000) == second && atMillis[slot] > millis) {
                return; // this second already holds a newer snapshot
            }
            long[] counts = new long[Math.min(MAX_SEGMENTS, segmentNames.size() + s.segments().size())];
            Arrays.fill(counts, -1);
            int used = 0;
            for (Map.Entry<String, Long> e : s.segments().entrySet()) {
                Integer index = segmentIndex.get(e.getKey());
                if (index == null && segmentNames.size() < MAX_SEGMENTS) {
                    index = segmentNames.size();
                    segmentNames.add(e.getKey());
                    segmentIndex.put(e.getKey(), index);
                }
                if (index != null && index < counts.length) {
                    counts[index] = e.getValue();
                    used = Math.max(used, index + 1);
                }
            }
            atMillis[slot] = millis;
            viewers[slot] = s.viewers();
            segmentViewers[slot] = Arrays.copyOf(counts, used);
            newestSecond = Math.max(newestSecond, second);
        }

        /** The points at or after both {@code horizon} and {@code from}, oldest first. */
        List<EventAudience.Point> series(Instant from, Instant horizon) {
            List<EventAudience.Point> points = new ArrayList<>();
            if (newestSecond == Long.MIN_VALUE) {
                return points;
            }
            for (long second = newestSecond - SERIES_POINTS + 1; second <= newestSecond; second++) {
                int slot = (int) Math.floorMod(second, (long) SERIES_POINTS);
                if (atMillis[slot] == Long.MIN_VALUE || Math.floorDiv(atMillis[slot], 1000) != second) {
                    continue;
                }
                Instant at = Instant.ofEpochMilli(atMillis[slot]);
                if (at.isBefore(horizon) || at.isBefore(from)) {
                    continue;
                }
                TreeMap<String, Long> segments = new TreeMap<>();
                long[] counts = segmentViewers[slot];
                for (int i = 0; i < counts.length; i++) {
                    if (counts[i] >= 0) {
                        segments.put(segmentNames.get(i), counts[i]);
                    }
                }
                points.add(new EventAudience.Point(at, viewers[slot], segments));
            }
            return points;
        }
    }
}
