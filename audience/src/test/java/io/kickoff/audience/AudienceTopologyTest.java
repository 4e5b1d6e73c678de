package io.kickoff.audience;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.kickoff.bus.Topic;
import io.kickoff.protocol.v1.AccountStreams;
import io.kickoff.protocol.v1.AudienceSnapshot;
import io.kickoff.protocol.v1.BroadcastPlays;
import io.kickoff.protocol.v1.PlaybackState;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.StageUpdate;
import io.kickoff.protocol.v1.Viewing;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AudienceTopologyTest {
    static final Instant T0 = Instant.parse("2026-11-21T20:00:00Z");
    static final String FINAL = "final-2026";
    /** Heartbeats every 10 s (gone after 20 s), plays within 60 s of a broadcast; a 1 ms tick so that every
     * advance of the wall clock runs expiry and publishes. */
    static final AudienceSettings SETTINGS = new AudienceSettings(Duration.ofSeconds(10), 2, Duration.ofSeconds(60),
            Duration.ofMillis(1), Duration.ofMinutes(15));

    @TempDir
    Path stateDir;

    TopologyTestDriver driver;
    TestInputTopic<String, byte[]> viewing;
    TestInputTopic<String, byte[]> stages;
    TestOutputTopic<String, byte[]> snapshots;
    TestOutputTopic<String, byte[]> series;
    TestOutputTopic<String, byte[]> accounts;
    final Map<String, AudienceSnapshot> latest = new HashMap<>();
    Instant wall = T0;

    @BeforeEach
    void start() {
        open();
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    void open() {
        open(StreamsConfig.EXACTLY_ONCE_V2);
    }

    void open(String processingGuarantee) {
        Properties props = new AudienceStreamsConfig("audience-test", "unused:9092", stateDir, 1, 0).properties();
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, processingGuarantee);
        driver = new TopologyTestDriver(AudienceTopology.build(SETTINGS), props, wall);
        viewing = driver.createInputTopic(Topic.VIEWING.name(), new StringSerializer(), new ByteArraySerializer());
        stages = driver.createInputTopic(Topic.STAGES.name(), new StringSerializer(), new ByteArraySerializer());
        snapshots = driver.createOutputTopic(Topic.AUDIENCE.name(), new StringDeserializer(), new ByteArrayDeserializer());
        series = driver.createOutputTopic(Topic.AUDIENCE_SERIES.name(), new StringDeserializer(), new ByteArrayDeserializer());
        accounts = driver.createOutputTopic(Topic.AUDIENCE_ACCOUNTS.name(), new StringDeserializer(), new ByteArrayDeserializer());
    }

    void signal(String device, String event, PlaybackState state, String segment, String account, Instant at) {
        Viewing v = Viewing.newBuilder().setEventId(event).setState(state).setPositionMs(1000).setSessionId("s-" + device)
                .setDeviceId(device).setSegment(segment).setAccount(account).setAt(EventAudience.timestamp(at.toEpochMilli()))
                .build();
        viewing.pipeInput(device, v.toByteArray(), at);
    }

    void play(String device, String segment, Instant at) {
        signal(device, FINAL, PlaybackState.PLAYING, segment, "", at);
    }

    /** Moves the wall clock on (running expiry), then once more by a tick so that the changes reach the snapshot. */
    void advance(Duration by) {
        wall = wall.plus(by);
        driver.advanceWallClockTime(by);
        wall = wall.plus(SETTINGS.tick());
        driver.advanceWallClockTime(SETTINGS.tick());
    }

    AudienceSnapshot audience(String event) {
        advance(Duration.ZERO);
        for (var kv : snapshots.readKeyValuesToList()) {
            latest.put(kv.key, parse(kv.value));
        }
        return latest.getOrDefault(event, AudienceSnapshot.getDefaultInstance());
    }

    static AudienceSnapshot parse(byte[] bytes) {
        try {
            return AudienceSnapshot.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void countsADeviceOnceHoweverManySignalsItSends() {
        for (int i = 0; i < 5; i++) {
            play("d1", "us-en", T0.plusSeconds(i));
        }
        play("d2", "us-en", T0.plusSeconds(2));

        AudienceSnapshot now = audience(FINAL);

        assertThat(now.getViewers()).isEqualTo(2);
        assertThat(now.getSegmentsMap()).containsExactly(Map.entry("us-en", 2L));
        List<KeyValueBytes> points = series.readKeyValuesToList().stream().map(kv -> new KeyValueBytes(kv.key, kv.value)).toList();
        assertThat(points).isNotEmpty().allSatisfy(p -> assertThat(p.key()).isEqualTo(FINAL));
        assertThat(parse(points.get(points.size() - 1).value()).getViewers()).isEqualTo(2);
    }

    record KeyValueBytes(String key, byte[] value) {
    }

    @Test
    void aDeviceIsGoneAfterTwoMissedHeartbeatsButNotBefore() {
        play("quiet", "us-en", T0);
        play("steady", "us-en", T0);
        advance(Duration.ofSeconds(10).minus(SETTINGS.tick()));
        play("steady", "us-en", T0.plusSeconds(10));
        advance(Duration.ofSeconds(9));
        assertThat(audience(FINAL).getViewers()).as("19 s after its last signal the quiet device still counts").isEqualTo(2);

        advance(Duration.ofSeconds(1));

        assertThat(audience(FINAL).getViewers()).as("20 s: two heartbeats missed").isEqualTo(1);
        assertThat(latest.get(FINAL).getSegmentsMap()).containsExactly(Map.entry("us-en", 1L));
    }

    @Test
    void expiryRunsOnTheWallClockWhenNoSignalArrivesAtAll() {
        play("d1", "us-en", T0);
        assertThat(audience(FINAL).getViewers()).isEqualTo(1);

        advance(Duration.ofSeconds(25));

        assertThat(audience(FINAL).getViewers()).isZero();
    }

    @Test
    void aBacklogIsJudgedByTheSignalsOwnTimesNotByTheWallClock() {
        driver.close();
        wall = T0.plusSeconds(120); // the instance reads signals two minutes after they were sent
        open();
        for (int s = 0; s <= 50; s += 10) {
            play("d1", "us-en", T0.plusSeconds(s));
        }
        assertThat(audience(FINAL).getViewers()).as("heartbeats 70 s old on the wall clock, but none missed").isEqualTo(1);

        advance(Duration.ofSeconds(19));
        assertThat(audience(FINAL).getViewers()).isEqualTo(1);
        advance(Duration.ofSeconds(1));
        assertThat(audience(FINAL).getViewers()).as("then silent for 20 s").isZero();
    }

    @Test
    void stoppedRemovesTheDeviceAtOnceAndAnOlderPlayingDoesNotBringItBack() {
        play("d1", "us-en", T0);
        play("d2", "us-en", T0);
        signal("d1", FINAL, PlaybackState.STOPPED, "us-en", "", T0.plusSeconds(2));
        assertThat(audience(FINAL).getViewers()).isEqualTo(1);

        play("d1", "us-en", T0.plusSeconds(1)); // delayed heartbeat sent before the stop

        assertThat(audience(FINAL).getViewers()).isEqualTo(1);
        play("d1", "us-en", T0.plusSeconds(3)); // played again after the stop
        assertThat(audience(FINAL).getViewers()).isEqualTo(2);
    }

    @Test
    void pausedDoesNotCountAsWatching() {
        play("d1", "us-en", T0);
        signal("d1", FINAL, PlaybackState.PAUSED, "us-en", "", T0.plusSeconds(1));

        assertThat(audience(FINAL).getViewers()).isZero();
    }

    @Test
    void lateAndOutOfOrderSignals() {
        play("d1", "us-en", T0.plusSeconds(5));
        signal("d1", FINAL, PlaybackState.PAUSED, "us-en", "", T0.plusSeconds(3)); // older than what d1 said: ignored
        play("late", "us-en", T0.minusSeconds(16)); // late by 21 s: it would already be gone, so it is refused
        play("behind", "us-en", T0.minusSeconds(5)); // late by 10 s: counts, and is gone 20 s after its own time

        assertThat(audience(FINAL).getViewers()).isEqualTo(2);

        advance(Duration.ofSeconds(10)); // judged at T0+15: "behind" was last seen 20 s ago
        assertThat(audience(FINAL).getViewers()).isEqualTo(1);
    }

    @Test
    void countsPerSegmentAndFollowsADeviceThatChangesSegment() {
        play("d1", "us-en", T0);
        play("d2", "us-en", T0);
        play("d3", "uk-en", T0);
        play("d4", "", T0);
        assertThat(audience(FINAL).getSegmentsMap())
                .containsOnly(Map.entry("us-en", 2L), Map.entry("uk-en", 1L), Map.entry("", 1L));

        play("d2", "uk-en", T0.plusSeconds(1));
        signal("d4", FINAL, PlaybackState.STOPPED, "", "", T0.plusSeconds(1));

        AudienceSnapshot now = audience(FINAL);
        assertThat(now.getViewers()).isEqualTo(3);
        assertThat(now.getSegmentsMap()).containsOnly(Map.entry("us-en", 1L), Map.entry("uk-en", 2L));
    }

    @Test
    void countsEventsApart() {
        play("d1", "us-en", T0);
        signal("d1", "semi-1", PlaybackState.PLAYING, "us-en", "", T0);
        signal("d2", "semi-1", PlaybackState.PLAYING, "us-en", "", T0);

        assertThat(audience(FINAL).getViewers()).isEqualTo(1);
        assertThat(audience("semi-1").getViewers()).isEqualTo(2);
    }

    @Test
    void countsPlaysStartedWithinTheWindowAfterEachBroadcast() {
        play("before", "us-en", T0.plusSeconds(5)); // playing before LIVE: not a play LIVE turned into
        play("early", "us-en", T0.plusSeconds(12)); // arrives before the LIVE record: still matched
        stages.pipeInput(FINAL, live(3, T0.plusSeconds(10)).toByteArray(), T0.plusSeconds(10));
        play("before", "us-en", T0.plusSeconds(15));
        play("d2", "us-en", T0.plusSeconds(30));
        signal("d2", FINAL, PlaybackState.STOPPED, "us-en", "", T0.plusSeconds(31));
        play("d2", "us-en", T0.plusSeconds(32)); // the same device again: one play
        play("after", "us-en", T0.plusSeconds(71)); // 61 s after LIVE: outside the window

        AudienceSnapshot now = audience(FINAL);

        assertThat(now.getBroadcastsList()).extracting(BroadcastPlays::getSeq, BroadcastPlays::getStage,
                BroadcastPlays::getPlays, BroadcastPlays::getWindowMs).containsExactly(
                        org.assertj.core.groups.Tuple.tuple(3L, Stage.LIVE, 2L, 60_000));
    }

    @Test
    void aStageUpdateReadAgainIsOneBroadcast() {
        stages.pipeInput(FINAL, live(3, T0).toByteArray(), T0);
        stages.pipeInput(FINAL, live(3, T0).toByteArray(), T0);
        stages.pipeInput(FINAL, StageUpdate.newBuilder(live(4, T0.plusSeconds(60))).setStage(Stage.ENDED).build()
                .toByteArray(), T0.plusSeconds(60));

        assertThat(audience(FINAL).getBroadcastsList()).extracting(BroadcastPlays::getSeq).containsExactly(3L, 4L);
    }

    static StageUpdate live(long seq, Instant issuedAt) {
        return StageUpdate.newBuilder().setEventId(FINAL).setStage(Stage.LIVE).setSeq(seq)
                .setIssuedAt(EventAudience.timestamp(issuedAt.toEpochMilli())).build();
    }

    @Test
    void countsConcurrentStreamsPerAccountAcrossEvents() {
        signal("tv", FINAL, PlaybackState.PLAYING, "us-en", "acct-1", T0);
        signal("phone", FINAL, PlaybackState.PLAYING, "us-en", "acct-1", T0);
        signal("tablet", "semi-1", PlaybackState.PLAYING, "us-en", "acct-1", T0);
        signal("other", FINAL, PlaybackState.PLAYING, "us-en", "acct-2", T0);
        signal("tv", FINAL, PlaybackState.PLAYING, "us-en", "acct-1", T0.plusSeconds(1)); // heartbeat: no change
        assertThat(streams()).containsEntry("acct-1", 3).containsEntry("acct-2", 1);

        signal("phone", FINAL, PlaybackState.STOPPED, "us-en", "acct-1", T0.plusSeconds(2));
        assertThat(streams()).containsEntry("acct-1", 2);

        advance(Duration.ofSeconds(25)); // everyone else is gone
        List<TestRecord<String, byte[]>> last = accounts.readRecordsToList();
        assertThat(last).filteredOn(r -> r.key().equals("acct-1")).last().extracting(TestRecord::value).isNull();
        assertThat(last).filteredOn(r -> r.key().equals("acct-2")).last().extracting(TestRecord::value).isNull();
    }

    final Map<String, Integer> streamsSeen = new HashMap<>();

    Map<String, Integer> streams() {
        for (var r : accounts.readRecordsToList()) {
            try {
                streamsSeen.put(r.key(), r.value() == null ? 0 : AccountStreams.parseFrom(r.value()).getStreams());
            } catch (InvalidProtocolBufferException e) {
                throw new AssertionError(e);
            }
        }
        return streamsSeen;
    }

    @Test
    void malformedSignalsAreSkipped() {
        viewing.pipeInput("d0", new byte[] {0x0a, (byte) 0xff}, T0);
        viewing.pipeInput("d0", (byte[]) null, T0);
        signal("d1", "", PlaybackState.PLAYING, "us-en", "", T0);
        signal("d2", FINAL, PlaybackState.PLAYBACK_STATE_UNSPECIFIED, "us-en", "", T0);
        signal("d\u0000x", FINAL, PlaybackState.PLAYING, "us-en", "", T0);
        stages.pipeInput(FINAL, new byte[] {0x0a, (byte) 0xff}, T0);
        play("d3", "us-en", T0);

        assertThat(audience(FINAL).getViewers()).isEqualTo(1);
    }

    @Test
    void theChangelogsHoldTheCounts() {
        play("d1", "us-en", T0);
        play("d2", "uk-en", T0);
        play("d3", "uk-en", T0);
        signal("d3", FINAL, PlaybackState.STOPPED, "uk-en", "", T0.plusSeconds(1));
        assertThat(audience(FINAL).getViewers()).isEqualTo(2);

        Map<String, Long> counts = new HashMap<>();
        driver.createOutputTopic("audience-test-" + EventAudience.COUNTS + "-changelog", new StringDeserializer(),
                new org.apache.kafka.common.serialization.LongDeserializer()).readRecordsToList()
                .forEach(r -> counts.put(r.key().replace(StoreKeys.SEP, '/'), r.value()));
        assertThat(counts).containsEntry(FINAL, 2L).containsEntry(FINAL + "/us-en", 1L).containsEntry(FINAL + "/uk-en", 1L);
        assertThat(driver.producedTopicNames()).contains("audience-test-" + DeviceTracker.DEVICES + "-changelog",
                "audience-test-" + DeviceTracker.EXPIRY + "-changelog", "audience-test-" + DeviceTracker.CLOCK + "-changelog",
                "audience-test-" + EventAudience.FIRST_PLAYS + "-changelog");
    }

    /**
     * A restart: a new instance whose stores are rebuilt from the changelogs the first one wrote, as Kafka Streams
     * restores a task moved to another instance (the test driver deletes its state directory on close and cannot
     * restore by itself, so the test copies the changelog records into the new driver's stores before any input).
     * Shows that every count, the expiry index, the first plays and the broadcasts live in changelogged stores.
     */
    @Test
    void aRestartedInstanceResumesFromTheChangelogs() {
        play("d1", "us-en", T0);
        play("d2", "uk-en", T0);
        stages.pipeInput(FINAL, live(3, T0.minusSeconds(1)).toByteArray(), T0);
        assertThat(audience(FINAL).getViewers()).isEqualTo(2);
        Map<String, List<TestRecord<String, byte[]>>> changelogs = new HashMap<>();
        for (String store : STORES.keySet()) {
            changelogs.put(store, driver.createOutputTopic("audience-test-" + store + "-changelog", new StringDeserializer(),
                    new ByteArrayDeserializer()).readRecordsToList());
        }

        assertThat(changelogs.get(DeviceTracker.DEVICES)).hasSize(2);

        driver.close();
        open();
        changelogs.forEach((store, records) -> restore(store, records));
        play("d1", "us-en", T0.plusSeconds(5)); // heartbeat of a device counted before the restart
        play("d3", "us-en", T0.plusSeconds(5));

        AudienceSnapshot now = audience(FINAL);
        assertThat(now.getViewers()).isEqualTo(3);
        assertThat(now.getSegmentsMap()).containsOnly(Map.entry("us-en", 2L), Map.entry("uk-en", 1L));
        assertThat(now.getBroadcasts(0).getPlays()).isEqualTo(3);

        advance(Duration.ofSeconds(16)); // T0+21: d2, silent since T0, is gone through the restored expiry index
        assertThat(audience(FINAL).getSegmentsMap()).containsOnly(Map.entry("us-en", 2L));
    }

    static final Map<String, org.apache.kafka.common.serialization.Serde<?>> STORES = Map.of(
            DeviceTracker.DEVICES, DeviceView.serde(),
            DeviceTracker.EXPIRY, org.apache.kafka.common.serialization.Serdes.String(),
            DeviceTracker.CLOCK, org.apache.kafka.common.serialization.Serdes.Long(),
            EventAudience.COUNTS, org.apache.kafka.common.serialization.Serdes.Long(),
            EventAudience.BROADCASTS, BroadcastList.serde(),
            EventAudience.FIRST_PLAYS, org.apache.kafka.common.serialization.Serdes.Long(),
            EventAudience.ACCOUNTS, org.apache.kafka.common.serialization.Serdes.Long());

    void restore(String store, List<TestRecord<String, byte[]>> records) {
        org.apache.kafka.streams.state.KeyValueStore<String, Object> target = driver.getKeyValueStore(store);
        for (TestRecord<String, byte[]> r : records) {
            if (r.value() == null) {
                target.delete(r.key());
            } else {
                target.put(r.key(), STORES.get(store).deserializer().deserialize(store, r.value()));
            }
        }
    }
}
