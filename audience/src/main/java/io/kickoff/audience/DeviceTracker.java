package io.kickoff.audience;

import io.kickoff.protocol.v1.PlaybackState;
import io.kickoff.protocol.v1.Viewing;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device stage, on the partitions of {@code kickoff.viewing} (keyed by device): absorbs heartbeats and forwards
 * only changes — a device starting or stopping to count for an event, segment and account, and its first play.
 *
 * <p>Time is the gateway's receive time ({@code Viewing.at}). The clock that expires devices is this task's stream
 * time (the latest {@code at} seen) moved on by the wall clock while no signal arrives: while the task catches up
 * after a restart, devices are judged by the signals' own times, so a backlog does not expire everyone; while the
 * partition is quiet, the wall clock still expires devices that stopped sending.
 */
final class DeviceTracker implements Processor<String, Viewing, String, AudienceChange> {
    static final String DEVICES = "audience-devices";
    static final String EXPIRY = "audience-expiry";
    static final String CLOCK = "audience-clock";
    private static final String CLOCK_KEY = "latest-signal";
    private static final int EXPIRE_BATCH = 10_000;
    private static final Logger log = LoggerFactory.getLogger(DeviceTracker.class);

    private final AudienceSettings settings;
    private ProcessorContext<String, AudienceChange> context;
    private KeyValueStore<String, DeviceView> devices;
    private KeyValueStore<String, String> expiry;
    private KeyValueStore<String, Long> clock;
    private long latestSignalMs;
    private long latestSignalWallMs;

    DeviceTracker(AudienceSettings settings) {
        this.settings = settings;
    }

    @Override
    public void init(ProcessorContext<String, AudienceChange> context) {
        this.context = context;
        this.devices = context.getStateStore(DEVICES);
        this.expiry = context.getStateStore(EXPIRY);
        this.clock = context.getStateStore(CLOCK);
        Long stored = clock.get(CLOCK_KEY);
        this.latestSignalMs = stored == null ? 0 : stored;
        this.latestSignalWallMs = context.currentSystemTimeMs();
        context.schedule(settings.tick(), PunctuationType.WALL_CLOCK_TIME, wallMs -> expire());
    }

    /** The time devices are judged by: the latest signal's time, moved on by the wall clock since it was seen. */
    long nowMs() {
        if (latestSignalMs == 0) {
            return context.currentSystemTimeMs();
        }
        return latestSignalMs + Math.max(0, context.currentSystemTimeMs() - latestSignalWallMs);
    }

    @Override
    public void process(Record<String, Viewing> record) {
        Viewing signal = record.value();
        if (signal == null) {
            return;
        }
        String deviceId = signal.getDeviceId().isEmpty() ? record.key() : signal.getDeviceId();
        if (deviceId == null || deviceId.isEmpty() || signal.getEventId().isEmpty() || !signal.hasAt()
                || signal.getState() == PlaybackState.PLAYBACK_STATE_UNSPECIFIED
                || signal.getState() == PlaybackState.UNRECOGNIZED
                || !StoreKeys.legalPart(deviceId) || !StoreKeys.legalPart(signal.getEventId())) {
            log.debug("dropped a malformed viewing signal (key {})", record.key());
            return;
        }
        long atMs = signal.getAt().getSeconds() * 1000 + signal.getAt().getNanos() / 1_000_000;
        if (atMs > latestSignalMs) {
            latestSignalMs = atMs;
            latestSignalWallMs = context.currentSystemTimeMs();
            clock.put(CLOCK_KEY, atMs);
        }
        if (atMs <= nowMs() - settings.goneAfterMs()) {
            return; // too late: the device would already be gone, and a late signal must not bring it back
        }
        String key = StoreKeys.join(deviceId, signal.getEventId());
        DeviceView before = devices.get(key);
        if (before != null && atMs < before.lastSeenMs()) {
            return; // out of order: a newer signal of this device for this event has been applied
        }
        boolean playing = signal.getState() == PlaybackState.PLAYING;
        long firstPlayMs = before != null && before.firstPlayMs() != 0 ? before.firstPlayMs() : playing ? atMs : 0;
        DeviceView after = new DeviceView(signal.getState(), signal.getSegment(), signal.getAccount(), atMs, firstPlayMs);
        if (firstPlayMs != 0 && (before == null || before.firstPlayMs() == 0)) {
            forward(new AudienceChange.FirstPlay(signal.getEventId(), firstPlayMs), atMs);
        }
        count(signal.getEventId(), before, after, atMs);
        if (before != null) {
            expiry.delete(expiryKey(before.lastSeenMs(), key));
        }
        expiry.put(expiryKey(atMs, key), key);
        devices.put(key, after);
    }

    /** Forwards the deltas that turn what {@code before} counted into what {@code after} counts (null: nothing). */
    private void count(String eventId, DeviceView before, DeviceView after, long atMs) {
        boolean was = before != null && before.playing();
        boolean is = after != null && after.playing();
        if (was && (!is || !before.segment().equals(after.segment()))) {
            forward(new AudienceChange.ViewerDelta(eventId, before.segment(), -1), atMs);
        }
        if (is && (!was || !before.segment().equals(after.segment()))) {
            forward(new AudienceChange.ViewerDelta(eventId, after.segment(), +1), atMs);
        }
        String accountBefore = was ? before.account() : "";
        String accountAfter = is ? after.account() : "";
        if (!accountBefore.equals(accountAfter)) {
            if (!accountBefore.isEmpty()) {
                forward(new AudienceChange.StreamDelta(accountBefore, -1), atMs);
            }
            if (!accountAfter.isEmpty()) {
                forward(new AudienceChange.StreamDelta(accountAfter, +1), atMs);
            }
        }
    }

    private void forward(AudienceChange change, long timestampMs) {
        context.forward(new Record<>(change.routingKey(), change, timestampMs));
    }

    /** Forgets every device whose latest signal is older than the heartbeats it may miss. */
    private void expire() {
        long now = nowMs();
        // Inclusive: a device last seen exactly goneAfter ago is gone, as a signal that old is refused.
        String cutoff = StoreKeys.time(now - settings.goneAfterMs() + 1);
        List<KeyValue<String, String>> gone = new ArrayList<>();
        try (KeyValueIterator<String, String> due = expiry.range(StoreKeys.time(0), cutoff)) {
            while (due.hasNext() && gone.size() < EXPIRE_BATCH) {
                gone.add(due.next());
            }
        }
        for (KeyValue<String, String> entry : gone) {
            expiry.delete(entry.key);
            DeviceView view = devices.get(entry.value);
            if (view == null || !expiryKey(view.lastSeenMs(), entry.value).equals(entry.key)) {
                continue; // a stale index entry: the device has been seen since
            }
            String eventId = entry.value.substring(entry.value.indexOf(StoreKeys.SEP) + 1);
            count(eventId, view, null, now);
            devices.delete(entry.value);
        }
    }

    private static String expiryKey(long lastSeenMs, String deviceKey) {
        return StoreKeys.join(StoreKeys.time(lastSeenMs), deviceKey);
    }
}
