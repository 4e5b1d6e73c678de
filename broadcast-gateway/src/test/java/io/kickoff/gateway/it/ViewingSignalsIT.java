package io.kickoff.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kickoff.bus.BusRecord;
import io.kickoff.bus.StartFrom;
import io.kickoff.bus.Subscription;
import io.kickoff.bus.Topic;
import io.kickoff.gateway.Gateway;
import io.kickoff.gateway.GatewayConfig;
import io.kickoff.gateway.testing.RawDevice;
import io.kickoff.gateway.testing.TestGateways;
import io.kickoff.protocol.token.DeviceClaims;
import io.kickoff.protocol.token.DeviceTokens;
import io.kickoff.protocol.v1.ClientFrame;
import io.kickoff.protocol.v1.PlaybackState;
import io.kickoff.protocol.v1.ServerFrame;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.simulator.DeviceFleet;
import io.kickoff.simulator.PlayPlan;
import io.kickoff.protocol.v1.Viewing;
import io.kickoff.testkit.TestKafka;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Viewing signals of devices reach kickoff.viewing on a real Kafka, in batches, keyed by device, as Viewing records. */
class ViewingSignalsIT {
    static final DeviceTokens TOKENS = DeviceTokens.withSecret("viewing-it-secret-viewing-it-secret!!");
    static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    @RegisterExtension
    final TestGateways gateways = TestGateways.onKafka(kafka, TOKENS);

    List<BusRecord> viewingRecords() {
        List<BusRecord> records = new CopyOnWriteArrayList<>();
        Subscription subscription = gateways.bus("reader").subscribe(Topic.VIEWING, StartFrom.NOW, records::add);
        gateways.closeAfter(subscription::close);
        return records;
    }

    RawDevice greeted(Gateway gateway, String device, String account) {
        String token = TOKENS.issue(new DeviceClaims(device, TestGateways.SEGMENT, Instant.now().plusSeconds(3600), account));
        RawDevice raw = RawDevice.connect(TestGateways.uri(gateway), token);
        gateways.closeAfter(() -> raw.socket.abort());
        raw.hello(Map.of());
        await().atMost(WAIT).until(() -> raw.count(ServerFrame.FrameCase.WELCOME) == 1);
        return raw;
    }

    static ClientFrame viewing(String event, PlaybackState state, long positionMs) {
        return ClientFrame.newBuilder().setViewing(Viewing.newBuilder().setEventId(event).setState(state)
                .setPositionMs(positionMs).setSessionId("play-1")).build();
    }

    static double metric(Gateway gateway, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*} ([0-9.eE+-]+)$").matcher(gateway.metrics().scrape());
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    @Test
    void signalsWaitForAFullBatchAndArriveKeyedByDeviceWithTheSessionsFields() throws Exception {
        // No interval flush within the test: only a full batch (5) is published.
        Gateway gateway = gateways.startReady("gw-viewing", b -> b.viewing(
                new GatewayConfig.ViewingSignals(Duration.ofSeconds(10), Duration.ofHours(1), 5, 100)));
        assertThat(metric(gateway, "kickoff_gateway_viewing_published_total")).isZero();
        assertThat(metric(gateway, "kickoff_gateway_viewing_dropped_total")).isZero();
        List<BusRecord> records = viewingRecords();
        RawDevice withAccount = greeted(gateway, "tv-1", "acct-1");
        RawDevice without = greeted(gateway, "tv-2", "");
        assertThat(withAccount.all(ServerFrame.FrameCase.WELCOME).get(0).getWelcome().getViewingHeartbeatIntervalMs())
                .isEqualTo(10_000);

        withAccount.send(viewing("final", PlaybackState.PLAYING, 0));
        without.send(viewing("final", PlaybackState.PLAYING, 0));
        withAccount.send(viewing("final", PlaybackState.PLAYING, 10_000));
        without.send(viewing("final", PlaybackState.PAUSED, 9_000));
        await().atMost(WAIT).until(() -> metric(gateway, "kickoff_gateway_viewing_queued") == 4);
        assertThat(records).isEmpty();

        Instant sentAfter = Instant.now().minusSeconds(1);
        withAccount.send(viewing("final", PlaybackState.STOPPED, 12_000));
        await().atMost(WAIT).until(() -> records.size() == 5);
        // Partitions may interleave; each device's signals keep their order (one key, one partition).
        assertThat(records).extracting(BusRecord::key).containsExactlyInAnyOrder("tv-1", "tv-2", "tv-1", "tv-2", "tv-1");
        List<Viewing> signals = records.stream().map(r -> {
            try {
                return Viewing.parseFrom(r.value());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).toList();
        assertThat(signals.stream().filter(v -> v.getDeviceId().equals("tv-1")).map(Viewing::getState))
                .containsExactly(PlaybackState.PLAYING, PlaybackState.PLAYING, PlaybackState.STOPPED);
        assertThat(signals.stream().filter(v -> v.getDeviceId().equals("tv-2")).map(Viewing::getState))
                .containsExactly(PlaybackState.PLAYING, PlaybackState.PAUSED);
        assertThat(records).allSatisfy(r -> assertThat(Viewing.parseFrom(r.value()).getDeviceId()).isEqualTo(r.key()));
        assertThat(signals).allSatisfy(v -> {
            assertThat(v.getEventId()).isEqualTo("final");
            assertThat(v.getSegment()).isEqualTo(TestGateways.SEGMENT);
            assertThat(v.getSessionId()).isEqualTo("play-1");
            assertThat(v.getAccount()).isEqualTo(v.getDeviceId().equals("tv-1") ? "acct-1" : "");
            assertThat(v.getAt().getSeconds()).isGreaterThanOrEqualTo(sentAfter.getEpochSecond() - 60);
        });
        assertThat(signals.stream().filter(v -> v.getState() == PlaybackState.STOPPED).findFirst().orElseThrow()
                .getPositionMs()).isEqualTo(12_000);
        await().atMost(WAIT).until(() -> metric(gateway, "kickoff_gateway_viewing_published_total") == 5);
        assertThat(metric(gateway, "kickoff_gateway_viewing_queued")).isZero();
    }

    @Test
    void lessThanABatchGoesOutAtTheFlushInterval() throws Exception {
        Gateway gateway = gateways.startReady("gw-viewing-interval", b -> b.viewing(
                new GatewayConfig.ViewingSignals(Duration.ofSeconds(10), Duration.ofMillis(200), 1_000, 10_000)));
        List<BusRecord> records = viewingRecords();
        RawDevice device = greeted(gateway, "phone-1", "");
        device.send(viewing("semi", PlaybackState.PLAYING, 0));
        device.send(viewing("semi", PlaybackState.STOPPED, 500));
        await().atMost(WAIT).until(() -> records.size() == 2);
        assertThat(Viewing.parseFrom(records.get(1).value()).getState()).isEqualTo(PlaybackState.STOPPED);
        assertThat(records).extracting(BusRecord::key).containsOnly("phone-1");
    }

    static Viewing parse(BusRecord record) {
        try {
            return Viewing.parseFrom(record.value());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aFleetsPlayersPlayAtLiveHeartbeatAndStopAtEnded() throws Exception {
        Gateway gateway = gateways.startReady("gw-viewing-fleet", b -> b.viewing(
                new GatewayConfig.ViewingSignals(Duration.ofMillis(300), Duration.ofMillis(100), 1_000, 10_000)));
        List<BusRecord> records = viewingRecords();
        // 10 devices, 6 play (tv-0 .. tv-5), each within 200 ms of LIVE.
        DeviceFleet fleet = gateways.fleet(List.of(TestGateways.uri(gateway)), 10, "tv-",
                b -> b.play(new PlayPlan(0.6, Duration.ofMillis(200))));
        fleet.connectAll().get(60, TimeUnit.SECONDS);
        Set<String> players = Set.of("tv-0", "tv-1", "tv-2", "tv-3", "tv-4", "tv-5");

        TestGateways.publish(gateways.bus("producer"), TestGateways.update("cup", Stage.LIVE, 1));
        // Every player plays, and heartbeats at the welcome's interval (several signals each).
        await().atMost(WAIT).until(() -> players.stream().allMatch(p -> records.stream()
                .filter(r -> r.key().equals(p)).count() >= 3));
        assertThat(records.stream().map(BusRecord::key).collect(Collectors.toSet())).isEqualTo(players);
        assertThat(records.stream().map(ViewingSignalsIT::parse)).allSatisfy(v -> {
            assertThat(v.getEventId()).isEqualTo("cup");
            assertThat(v.getState()).isEqualTo(PlaybackState.PLAYING);
            assertThat(v.getSegment()).isEqualTo(TestGateways.SEGMENT);
            assertThat(v.getSessionId()).startsWith(v.getDeviceId() + "-play-");
        });

        TestGateways.publish(gateways.bus("producer"), TestGateways.update("cup", Stage.ENDED, 2));
        // Each player's last signal is its STOPPED (one key, one partition: in order); heartbeats end.
        await().atMost(WAIT).until(() -> players.stream().allMatch(p -> {
            List<Viewing> own = records.stream().filter(r -> r.key().equals(p)).map(ViewingSignalsIT::parse).toList();
            return !own.isEmpty() && own.get(own.size() - 1).getState() == PlaybackState.STOPPED;
        }));
        assertThat(records.stream().map(ViewingSignalsIT::parse).filter(v -> v.getState() == PlaybackState.STOPPED)
                .map(Viewing::getDeviceId)).containsExactlyInAnyOrderElementsOf(players);
        assertThat(fleet.viewingSignalsSent(PlaybackState.STOPPED)).isEqualTo(6);
        await().atMost(WAIT).until(() -> records.size() == fleet.viewingSignalsSent(PlaybackState.PLAYING)
                + fleet.viewingSignalsSent(PlaybackState.STOPPED));
    }
}
