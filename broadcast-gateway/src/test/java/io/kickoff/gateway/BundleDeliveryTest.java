package io.kickoff.gateway;

import static io.kickoff.gateway.Fixtures.update;
import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.bus.BusRecord;
import io.kickoff.bus.Topic;
import io.kickoff.protocol.WireFormat;
import io.kickoff.protocol.token.DeviceClaims;
import io.kickoff.protocol.v1.Bundle;
import io.kickoff.protocol.v1.Rendering;
import io.kickoff.protocol.v1.Stage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Bundle delivery with one EmbeddedChannel (its own event loop) per device; pushes are not paced here. */
class BundleDeliveryTest {
    static final AtomicLong OFFSETS = new AtomicLong();

    final SessionRegistry registry = new SessionRegistry();
    final GatewayMetrics metrics = new GatewayMetrics("test");
    final BundleDelivery delivery = new BundleDelivery(
            GatewayConfig.builder().bundlePushWindow(Duration.ZERO).build(), registry, metrics, Fixtures.CLOCK);
    final List<EmbeddedChannel> channels = new ArrayList<>();

    static Bundle bundle(String eventId, String segment, String version) {
        return Bundle.newBuilder().setEventId(eventId).setSegment(segment).setVersion(version)
                .putStages("LIVE", Rendering.newBuilder().setRowTitle("Live now: " + eventId).build())
                .build();
    }

    static BusRecord record(Bundle bundle) {
        return new BusRecord(Topic.BUNDLES, bundle.getEventId() + ":" + bundle.getSegment(), bundle.toByteArray(),
                OFFSETS.incrementAndGet());
    }

    EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel();
        channels.add(ch);
        return ch;
    }

    DeviceSession session(EmbeddedChannel ch, String id, String segment, WireFormat format) {
        return new DeviceSession(ch, new DeviceClaims(id, segment, Fixtures.NOW.plusSeconds(3600)), format);
    }

    EmbeddedChannel device(String id, String segment, WireFormat format) {
        EmbeddedChannel ch = channel();
        registry.add(session(ch, id, segment, format));
        return ch;
    }

    void runAll() {
        channels.forEach(EmbeddedChannel::runPendingTasks);
    }

    static List<ByteBuf> outbound(EmbeddedChannel ch) {
        List<ByteBuf> frames = new ArrayList<>();
        for (Object o = ch.readOutbound(); o != null; o = ch.readOutbound()) {
            frames.add((ByteBuf) o);
        }
        return frames;
    }

    static Bundle decode(WireFormat format, ByteBuf frame) throws Exception {
        return Fixtures.decode(format, frame).getBundle();
    }

    @AfterEach
    void closeChannels() {
        channels.forEach(ch -> {
            outbound(ch).forEach(ByteBuf::release);
            ch.finishAndReleaseAll();
        });
        delivery.close();
    }

    @Test
    void onlyTheBundlesSegmentReceivesItEncodedOnce() throws Exception {
        List<EmbeddedChannel> proto = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            proto.add(device("p" + i, "us-en", WireFormat.PROTOBUF));
        }
        EmbeddedChannel json = device("j", "us-en", WireFormat.JSON);
        EmbeddedChannel fr = device("fr", "fr-fr", WireFormat.PROTOBUF);

        delivery.onBundleRecord(record(bundle("final", "us-en", "v1")));
        runAll();

        List<ByteBuf> frames = new ArrayList<>();
        for (EmbeddedChannel ch : proto) {
            List<ByteBuf> out = outbound(ch);
            assertThat(out).hasSize(1);
            frames.add(out.get(0));
        }
        ByteBuf shared = Fixtures.memoryOf(frames.get(0));
        assertThat(shared).isNotNull();
        assertThat(frames).allSatisfy(f -> assertThat(Fixtures.memoryOf(f)).isSameAs(shared));
        for (ByteBuf f : frames) {
            assertThat(decode(WireFormat.PROTOBUF, f).getVersion()).isEqualTo("v1");
        }
        List<ByteBuf> jsonFrames = outbound(json);
        assertThat(jsonFrames).hasSize(1);
        assertThat(decode(WireFormat.JSON, jsonFrames.get(0)).getStagesMap().get("LIVE").getRowTitle())
                .isEqualTo("Live now: final");
        assertThat(outbound(fr)).isEmpty();
        assertThat(delivery.written()).isEqualTo(5);
        assertThat(metrics.count("kickoff_gateway_bundle_writes")).isEqualTo(5);

        // Every device's copy is released; only the held bundle still references the bytes.
        assertThat(shared.refCnt()).isEqualTo(1);
        delivery.stageChanged(update("final", Stage.ENDED, 9));
        assertThat(shared.refCnt()).isZero();
    }

    @Test
    void closingGivesBackTheBytesOfEveryHeldBundle() throws Exception {
        EmbeddedChannel us = device("us", "us-en", WireFormat.PROTOBUF);
        delivery.onBundleRecord(record(bundle("final", "us-en", "v1")));
        delivery.onBundleRecord(record(bundle("semi", "fr-fr", "v1")));
        runAll();
        List<ByteBuf> out = outbound(us);
        assertThat(out).hasSize(1);
        ByteBuf memory = Fixtures.memoryOf(out.get(0));
        out.forEach(ByteBuf::release);
        assertThat(delivery.held()).isEqualTo(2);
        assertThat(memory.refCnt()).as("held by the delivery").isEqualTo(1);

        delivery.close();
        assertThat(delivery.held()).isZero();
        assertThat(memory.refCnt()).isZero();
        // A device greeted afterwards gets nothing, and nothing fails.
        EmbeddedChannel late = channel();
        delivery.welcomed(session(late, "late", "us-en", WireFormat.PROTOBUF), Map.of());
        runAll();
        assertThat(outbound(late)).isEmpty();
    }

    @Test
    void aVersionIsNotSentTwice() throws Exception {
        EmbeddedChannel us = device("us", "us-en", WireFormat.PROTOBUF);
        delivery.onBundleRecord(record(bundle("final", "us-en", "v1")));
        runAll();
        assertThat(outbound(us)).hasSize(1).allSatisfy(ByteBuf::release);

        // The compacted topic replays the same record (restart, rebalance): nothing is resent.
        delivery.onBundleRecord(record(bundle("final", "us-en", "v1")));
        runAll();
        assertThat(outbound(us)).isEmpty();

        delivery.onBundleRecord(record(bundle("final", "us-en", "v2")));
        runAll();
        List<ByteBuf> out = outbound(us);
        assertThat(out).hasSize(1);
        assertThat(decode(WireFormat.PROTOBUF, out.get(0)).getVersion()).isEqualTo("v2");
        assertThat(delivery.bundle("final", "us-en")).map(Bundle::getVersion).contains("v2");
        assertThat(delivery.held()).isEqualTo(1);
    }

    @Test
    void welcomedSendsOnlyTheMissingBundlesOfItsSegment() throws Exception {
        delivery.onBundleRecord(record(bundle("final", "us-en", "v1")));
        delivery.onBundleRecord(record(bundle("semi", "us-en", "v7")));
        delivery.onBundleRecord(record(bundle("semi", "fr-fr", "v3")));

        EmbeddedChannel ch = channel();
        delivery.welcomed(session(ch, "d1", "us-en", WireFormat.PROTOBUF), Map.of("final", "v1", "other", "x"));
        List<ByteBuf> out = outbound(ch);
        assertThat(out).hasSize(1);
        assertThat(decode(WireFormat.PROTOBUF, out.get(0)).getEventId()).isEqualTo("semi");

        EmbeddedChannel stale = channel();
        delivery.welcomed(session(stale, "d2", "us-en", WireFormat.JSON), Map.of("final", "v0"));
        List<String> got = new ArrayList<>();
        for (ByteBuf f : outbound(stale)) {
            Bundle b = decode(WireFormat.JSON, f);
            got.add(b.getEventId() + "@" + b.getVersion());
        }
        assertThat(got).containsExactlyInAnyOrder("final@v1", "semi@v7");
    }

    @Test
    void aDeviceGreetedWhileAPushIsQueuedGetsTheBundleOnce() {
        delivery.onBundleRecord(record(bundle("final", "us-en", "v1")));
        EmbeddedChannel ch = channel();
        DeviceSession session = session(ch, "late", "us-en", WireFormat.PROTOBUF);
        // Greeted (registered and welcomed in one loop task) while the push of v2 waits in the loop's queue.
        registry.add(session);
        delivery.onBundleRecord(record(bundle("final", "us-en", "v2")));
        delivery.welcomed(session, Map.of());
        runAll();
        assertThat(outbound(ch)).hasSize(1).allSatisfy(ByteBuf::release);
        assertThat(delivery.written()).isEqualTo(1);
    }

    @Test
    void endedAndCancelledEventsDropTheirBundles() {
        delivery.onBundleRecord(record(bundle("final", "us-en", "v1")));
        delivery.onBundleRecord(record(bundle("semi", "us-en", "v1")));
        delivery.stageChanged(update("final", Stage.LIVE, 3));
        assertThat(delivery.held()).isEqualTo(2);

        delivery.stageChanged(update("final", Stage.ENDED, 4));
        delivery.stageChanged(update("semi", Stage.CANCELLED, 2));
        assertThat(delivery.held()).isZero();
        assertThat(delivery.bundle("final", "us-en")).isEmpty();

        // A late record of an ended event (the topics are read independently) is not taken.
        delivery.onBundleRecord(record(bundle("final", "us-en", "v2")));
        assertThat(delivery.held()).isZero();
        EmbeddedChannel ch = channel();
        delivery.welcomed(session(ch, "d", "us-en", WireFormat.PROTOBUF), Map.of());
        assertThat(outbound(ch)).isEmpty();
    }

    @Test
    void unreadableRecordsAndTombstonesAreHandled() {
        delivery.onBundleRecord(new BusRecord(Topic.BUNDLES, "final:us-en", new byte[] {0x0a, (byte) 0xff}, 1));
        delivery.onBundleRecord(record(Bundle.newBuilder().setEventId("final").setSegment("us-en").build()));
        assertThat(delivery.held()).isZero();

        delivery.onBundleRecord(record(bundle("final", "us-en", "v1")));
        assertThat(delivery.held()).isEqualTo(1);
        delivery.onBundleRecord(new BusRecord(Topic.BUNDLES, "final:us-en", null, 5));
        assertThat(delivery.held()).isZero();
    }

    @Test
    void expiredBundlesAreNotTaken() {
        Bundle expired = bundle("final", "us-en", "v1").toBuilder()
                .setExpiresAt(io.kickoff.protocol.Timestamps.of(Fixtures.NOW.minusSeconds(1))).build();
        delivery.onBundleRecord(record(expired));
        assertThat(delivery.held()).isZero();
    }

    @Test
    void unwritableConnectionsAreSkippedAndCounted() {
        EmbeddedChannel slow = device("slow", "us-en", WireFormat.PROTOBUF);
        EmbeddedChannel fast = device("fast", "us-en", WireFormat.PROTOBUF);
        slow.config().setWriteBufferWaterMark(new WriteBufferWaterMark(1, 2));
        slow.write(Unpooled.wrappedBuffer(new byte[16])); // pending, not flushed: above the high mark
        assertThat(slow.isWritable()).isFalse();

        delivery.onBundleRecord(record(bundle("final", "us-en", "v1")));
        runAll();
        assertThat(delivery.skippedUnwritable()).isEqualTo(1);
        assertThat(delivery.written()).isEqualTo(1);
        assertThat(outbound(fast)).hasSize(1).allSatisfy(ByteBuf::release);
        slow.flush();
        Object pending = slow.readOutbound();
        assertThat(pending).isInstanceOf(ByteBuf.class);
        ((ByteBuf) pending).release();
        assertThat((Object) slow.readOutbound()).isNull();
    }
}
