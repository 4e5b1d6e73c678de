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
import io.kickoff.protocol.v1.ClientFrame;
import io.kickoff.protocol.v1.PlaybackState;
import io.kickoff.protocol.v1.ServerFrame;
import io.kickoff.protocol.v1.Viewing;
import io.kickoff.testkit.TestKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** While Kafka is down a gateway keeps at most its bound of viewing signals, drops heartbeats first, and publishes the rest when Kafka is back. */
class ViewingOutageIT {
    static final Duration WAIT = Duration.ofSeconds(90);
    static final int MAX_QUEUED = 50;
    static final int BATCH = 10;

    @RegisterExtension
    static final TestKafka kafka = new TestKafka();
    @RegisterExtension
    final TestGateways gateways = TestGateways.onKafka(kafka, ViewingSignalsIT.TOKENS);

    @AfterEach
    void kafkaBack() {
        kafka.start();
    }

    RawDevice greeted(Gateway gateway, String device) {
        RawDevice raw = gateways.device(gateway, device);
        raw.hello(Map.of());
        await().atMost(WAIT).until(() -> raw.count(ServerFrame.FrameCase.WELCOME) == 1);
        return raw;
    }

    static ClientFrame viewing(PlaybackState state, long positionMs) {
        return ClientFrame.newBuilder().setViewing(Viewing.newBuilder().setEventId("final").setState(state)
                .setPositionMs(positionMs)).build();
    }

    @Test
    void duringAnOutageTheQueueStaysBoundedDropsHeartbeatsFirstAndKeepsTheStopped() throws Exception {
        Gateway gateway = gateways.startReady("gw-outage", b -> b.inboundRate(10_000, 10_000).viewing(
                new GatewayConfig.ViewingSignals(Duration.ofSeconds(10), Duration.ofMillis(100), BATCH, MAX_QUEUED)));
        RawDevice leaver = greeted(gateway, "leaver");
        RawDevice watcher = greeted(gateway, "watcher");

        kafka.stop();
        leaver.send(viewing(PlaybackState.STOPPED, 1_000));
        for (int i = 1; i <= 300; i++) {
            watcher.send(viewing(PlaybackState.PLAYING, i));
        }
        // At most one batch is with the bus; the rest waits in the bounded queue, the oldest heartbeats dropped.
        await().atMost(WAIT).until(() -> ViewingSignalsIT.metric(gateway, "kickoff_gateway_viewing_dropped_total")
                >= 301 - MAX_QUEUED - BATCH);
        assertThat(ViewingSignalsIT.metric(gateway, "kickoff_gateway_viewing_queued")).isLessThanOrEqualTo(MAX_QUEUED);
        assertThat(watcher.closed()).isFalse();

        kafka.start();
        List<BusRecord> records = new CopyOnWriteArrayList<>();
        Subscription all = gateways.bus("reader").subscribe(Topic.VIEWING, StartFrom.BEGINNING, records::add);
        gateways.closeAfter(all::close);
        // The STOPPED and the newest heartbeat get through; what was dropped never does.
        await().atMost(WAIT).until(() -> records.stream().map(ViewingSignalsIT::parse).anyMatch(v ->
                v.getDeviceId().equals("leaver") && v.getState() == PlaybackState.STOPPED));
        await().atMost(WAIT).until(() -> records.stream().map(ViewingSignalsIT::parse).anyMatch(v ->
                v.getDeviceId().equals("watcher") && v.getPositionMs() == 300));
        await().atMost(WAIT).until(() -> ViewingSignalsIT.metric(gateway, "kickoff_gateway_viewing_queued") == 0);
        long dropped = (long) ViewingSignalsIT.metric(gateway, "kickoff_gateway_viewing_dropped_total");
        long published = (long) ViewingSignalsIT.metric(gateway, "kickoff_gateway_viewing_published_total");
        assertThat(published + dropped).isGreaterThanOrEqualTo(301);
        assertThat(records.stream().map(ViewingSignalsIT::parse).filter(v -> v.getDeviceId().equals("watcher")).count())
                .isLessThanOrEqualTo(301 - dropped + BATCH);
    }
}
