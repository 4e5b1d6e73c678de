package io.kickoff.gateway;

import static io.kickoff.gateway.Fixtures.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kickoff.protocol.WireFormat;
import io.kickoff.protocol.v1.Stage;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ResourceLeakDetector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Fan-out, redelivery and bundle delivery under Netty's leak detector at PARANOID (every buffer
 * tracked, every access recorded): an encoding, or a device's view of one, that becomes garbage
 * without its last release is reported once it is collected, with where it was encoded. The first
 * test shows such a leak is caught; the others run each path to its end on EmbeddedChannels,
 * releasing what the devices were written, and must leave nothing to report. Each path runs in a
 * method of its own, so that nothing it made is still reachable from the test when garbage is
 * collected.
 */
class FrameLeaksTest {
    static final long SECOND = 1_000_000_000L;
    private static final Queue<String> reports = new ConcurrentLinkedQueue<>();
    private static ResourceLeakDetector.Level levelBefore;

    @BeforeAll
    static void paranoid() {
        levelBefore = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ByteBufUtil.setLeakListener((type, records) -> reports.add(records));
    }

    @AfterAll
    static void restore() {
        ByteBufUtil.setLeakListener(null);
        ResourceLeakDetector.setLevel(levelBefore);
    }

    /** Reported leaks of frames encoded by one test (its name is in their records' stack traces). */
    static List<String> frameLeaks(TestInfo test) {
        String method = FrameLeaksTest.class.getName() + "." + test.getTestMethod().orElseThrow().getName();
        return reports.stream().filter(r -> r.contains(WireFrames.class.getName()) && r.contains(method)).toList();
    }

    /** Collects garbage, then lets the detector look at what was collected (it does when it tracks a new buffer). */
    static void collect() {
        System.gc();
        Unpooled.directBuffer(1).release();
    }

    static void assertNoFrameLeaks(TestInfo test) {
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> {
            collect();
            return frameLeaks(test).isEmpty();
        });
    }

    static void releaseWritten(List<EmbeddedChannel> channels) {
        for (EmbeddedChannel ch : channels) {
            for (Object out = ch.readOutbound(); out != null; out = ch.readOutbound()) {
                ReferenceCountUtil.release(out);
            }
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void aDevicesViewNeverReleasedIsReported(TestInfo test) {
        leakOneView();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            collect();
            return !frameLeaks(test).isEmpty();
        });
    }

    private static void leakOneView() {
        WireFrames frames = WireFrames.encode(WireFramesTest.stageUpdate());
        frames.retainedFrame(WireFormat.PROTOBUF); // written nowhere, released by no one
        frames.release();
    }

    @Test
    void fanOutLeavesNothingBehind(TestInfo test) {
        broadcastToEveryKindOfDevice();
        assertNoFrameLeaks(test);
    }

    private static void broadcastToEveryKindOfDevice() {
        SessionRegistry registry = new SessionRegistry();
        GatewayMetrics metrics = new GatewayMetrics("gw-test");
        BundleVersions held = eventId -> Map.of("us-en", "v-us", "br-pt", "v-br");
        FanOut fanOut = new FanOut(registry, metrics, new DeliveryStats("gw-test", Fixtures.CLOCK, registry::size), held);
        List<EmbeddedChannel> devices = new ArrayList<>();
        for (String segment : List.of("us-en", "br-pt", "fr-fr")) {
            for (WireFormat format : WireFormat.values()) {
                EmbeddedChannel ch = new EmbeddedChannel();
                registry.add(Fixtures.attachSession(ch, segment + "-" + format, segment, format));
                devices.add(ch);
            }
        }
        fanOut.broadcast(update("final", Stage.LIVE, 1));
        fanOut.broadcast(update("final", Stage.LIVE, 2, "us-en"));
        devices.forEach(EmbeddedChannel::runPendingTasks);
        assertThat(metrics.count("kickoff_gateway_update_writes")).isEqualTo(8);
        releaseWritten(devices);
    }

    @Test
    void redeliveryLeavesNothingBehind(TestInfo test) {
        redeliverTwice();
        assertNoFrameLeaks(test);
    }

    private static void redeliverTwice() {
        GatewayConfig config = GatewayConfig.builder().ackTimeout(Duration.ofSeconds(1)).maxRedeliveries(2)
                .heartbeatInterval(Duration.ofSeconds(100)).idleTimeout(Duration.ofSeconds(300))
                .slowConsumerTimeout(Duration.ofSeconds(5)).lifetime(Duration.ofHours(1), Duration.ZERO).build();
        WorldState world = new WorldState();
        SessionRegistry registry = new SessionRegistry();
        GatewayMetrics metrics = new GatewayMetrics("gw-test");
        BundleDelivery bundles = new BundleDelivery(config, registry, metrics, Fixtures.CLOCK);
        SessionServices services = new SessionServices(config, world, registry, Fixtures.CLOCK, metrics,
                new DeliveryStats("gw-test", Fixtures.CLOCK, registry::size), bundles, new Farewells(metrics), () -> false, Fixtures.viewing());
        world.apply(update("final", Stage.LIVE, 3));
        world.apply(update("semi", Stage.LIVE, 1));
        long t0 = 1_000 * SECOND;
        EmbeddedChannel ch = GreetedSessions.open(registry, "d1", t0);
        ch.attr(DeviceSession.KEY).get().sending("final", 3, t0);
        SessionUpkeep upkeep = new SessionUpkeep(services, ch.eventLoop());
        upkeep.runAt(t0 + SECOND);      // redelivers "final", sends "semi"
        upkeep.runAt(t0 + 3 * SECOND);  // redelivers both
        assertThat(metrics.count("kickoff_gateway_redeliveries")).isEqualTo(3);
        releaseWritten(List.of(ch));
        bundles.close();
    }

    @Test
    void bundleDeliveryLeavesNothingBehind(TestInfo test) {
        pushWelcomeReplaceAndDropBundles();
        assertNoFrameLeaks(test);
    }

    private static void pushWelcomeReplaceAndDropBundles() {
        SessionRegistry registry = new SessionRegistry();
        GatewayMetrics metrics = new GatewayMetrics("gw-test");
        BundleDelivery delivery = new BundleDelivery(GatewayConfig.builder().bundlePushWindow(Duration.ZERO).build(),
                registry, metrics, Fixtures.CLOCK);
        List<EmbeddedChannel> devices = new ArrayList<>();
        for (WireFormat format : WireFormat.values()) {
            EmbeddedChannel ch = new EmbeddedChannel();
            registry.add(new DeviceSession(ch, new io.kickoff.protocol.token.DeviceClaims("d-" + format, "us-en",
                    Fixtures.NOW.plusSeconds(3600)), format));
            devices.add(ch);
        }
        delivery.onBundleRecord(BundleDeliveryTest.record(BundleDeliveryTest.bundle("final", "us-en", "v1")));
        delivery.onBundleRecord(BundleDeliveryTest.record(BundleDeliveryTest.bundle("semi", "us-en", "v1")));
        devices.forEach(EmbeddedChannel::runPendingTasks);
        EmbeddedChannel late = new EmbeddedChannel();
        devices.add(late);
        delivery.welcomed(new DeviceSession(late, new io.kickoff.protocol.token.DeviceClaims("late", "us-en",
                Fixtures.NOW.plusSeconds(3600)), WireFormat.JSON), Map.of());
        // v2 replaces v1 while v1's push may still be queued; then the event ends and its bundles go.
        delivery.onBundleRecord(BundleDeliveryTest.record(BundleDeliveryTest.bundle("final", "us-en", "v2")));
        delivery.onBundleRecord(BundleDeliveryTest.record(BundleDeliveryTest.bundle("semi", "us-en", "v2")));
        delivery.onBundleRecord(BundleDeliveryTest.record(BundleDeliveryTest.bundle("semi", "us-en", "v3")));
        delivery.stageChanged(update("final", Stage.ENDED, 9));
        devices.forEach(EmbeddedChannel::runPendingTasks);
        assertThat(delivery.written()).isGreaterThanOrEqualTo(6);
        releaseWritten(devices);
        delivery.close();
    }
}
