package io.kickoff.gateway;

import static io.kickoff.gateway.Fixtures.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.kickoff.protocol.WireFormat;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.token.DeviceClaims;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.local.LocalChannel;
import java.util.concurrent.TimeUnit;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FanOutTest {
    final SessionRegistry registry = new SessionRegistry();
    final GatewayMetrics metrics = new GatewayMetrics("gw-test");
    final DeliveryStats stats = new DeliveryStats("gw-test", Fixtures.CLOCK, registry::size);
    // event id → segment → bundle version held
    final java.util.Map<String, java.util.Map<String, String>> held = new java.util.HashMap<>();
    final io.kickoff.gateway.BundleVersions bundles = e -> held.getOrDefault(e, java.util.Map.of());
    final FanOut fanOut = new FanOut(registry, metrics, stats, bundles);

    EmbeddedChannel device(String id, String segment, WireFormat format) {
        EmbeddedChannel ch = new EmbeddedChannel();
        DeviceSession session = Fixtures.attachSession(ch, id, segment, format);
        registry.add(session);
        return ch;
    }

    @Test
    void anUpdateArrivingWhileTheLoopsStopIsDroppedQuietly() throws Exception {
        DefaultEventLoopGroup loops = new DefaultEventLoopGroup(1);
        LocalChannel channel = new LocalChannel();
        loops.register(channel).sync();
        registry.add(new DeviceSession(channel, new DeviceClaims("late", "us-en", Fixtures.NOW.plusSeconds(60)),
                WireFormat.PROTOBUF));
        loops.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();

        // The bus thread that delivers it must not fail: the gateway is stopping, its devices are gone.
        assertThatCode(() -> fanOut.broadcast(update("final", Stage.LIVE, 1))).doesNotThrowAnyException();
        assertThat(metrics.count("kickoff_gateway_update_writes")).isZero();
    }

    @Test
    void oneEncodingPerFormatSharedByEveryDevice() throws Exception {
        List<EmbeddedChannel> proto = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            proto.add(device("p" + i, "us-en", WireFormat.PROTOBUF));
        }
        EmbeddedChannel json = device("j", "us-en", WireFormat.JSON);
        fanOut.broadcast(update("final", Stage.LIVE, 1));
        proto.forEach(EmbeddedChannel::runPendingTasks);
        json.runPendingTasks();

        List<io.netty.buffer.ByteBuf> frames = new ArrayList<>();
        for (EmbeddedChannel ch : proto) {
            frames.add(ch.readOutbound());
        }
        // Every device's frame is a view of the same bytes: encoded once.
        Object shared = Fixtures.memoryOf(frames.get(0));
        assertThat(shared).isNotNull();
        assertThat(frames).allSatisfy(f -> assertThat(Fixtures.memoryOf(f)).isSameAs(shared));
        assertThat(frames.get(0).refCnt()).isEqualTo(5);
        // Off-heap, so a native transport writes these views as they are instead of copying each.
        assertThat(frames).allSatisfy(f -> assertThat(f.isDirect()).isTrue());
        for (io.netty.buffer.ByteBuf f : frames) {
            assertThat(Fixtures.decode(WireFormat.PROTOBUF, f).getStageUpdate().getSeq()).isEqualTo(1);
        }
        // Once every device's copy is written and released, nothing is held.
        assertThat(((io.netty.buffer.ByteBuf) shared).refCnt()).isZero();
        assertThat(Fixtures.decode(WireFormat.JSON, json.readOutbound()).getStageUpdate().getStage()).isEqualTo(Stage.LIVE);
        assertThat(metrics.count("kickoff_gateway_update_writes")).isEqualTo(6);
    }

    @Test
    void audienceAndPositionsAreRespected() throws Exception {
        EmbeddedChannel us = device("us", "us-en", WireFormat.PROTOBUF);
        EmbeddedChannel fr = device("fr", "fr-fr", WireFormat.PROTOBUF);
        fanOut.broadcast(update("semi", Stage.LIVE, 2, "us-en"));
        us.runPendingTasks();
        fr.runPendingTasks();
        assertThat(Fixtures.decode(WireFormat.PROTOBUF, us.readOutbound()).getStageUpdate().getSeq()).isEqualTo(2);
        assertThat((Object) fr.readOutbound()).isNull();
        // A duplicate or older update is not sent again.
        fanOut.broadcast(update("semi", Stage.PRE_SHOW, 1, "us-en"));
        fanOut.broadcast(update("semi", Stage.LIVE, 2, "us-en"));
        us.runPendingTasks();
        assertThat((Object) us.readOutbound()).isNull();
    }

    @Test
    void unwritableConnectionsAreSkippedAndStayBehind() throws Exception {
        EmbeddedChannel slow = device("slow", "us-en", WireFormat.PROTOBUF);
        slow.config().setWriteBufferWaterMark(new io.netty.channel.WriteBufferWaterMark(8, 16));
        slow.write(io.netty.buffer.Unpooled.wrappedBuffer(new byte[64])); // queued, not flushed: over the high mark
        assertThat(slow.isWritable()).isFalse();
        fanOut.broadcast(update("final", Stage.LIVE, 1));
        slow.runPendingTasks();
        DeviceSession session = slow.attr(DeviceSession.KEY).get();
        assertThat(session.position("final")).isZero();
        assertThat(metrics.count("kickoff_gateway_update_writes_withheld")).isEqualTo(1);
    }

    @Test
    void broadcastWithNoDevicesHoldsNothing() {
        fanOut.broadcast(update("e", Stage.LIVE, 1));
        assertThat(metrics.count("kickoff_gateway_update_writes")).isZero();
    }

    @Test
    void eachDeviceIsToldTheBundleVersionOfItsOwnSegment() throws Exception {
        held.put("final", java.util.Map.of("us-en", "v-us", "br-pt", "v-br"));
        EmbeddedChannel us1 = device("us1", "us-en", WireFormat.PROTOBUF);
        EmbeddedChannel us2 = device("us2", "us-en", WireFormat.PROTOBUF);
        EmbeddedChannel usJson = device("us3", "us-en", WireFormat.JSON);
        EmbeddedChannel br = device("br", "br-pt", WireFormat.PROTOBUF);
        EmbeddedChannel fr = device("fr", "fr-fr", WireFormat.PROTOBUF); // no bundle for its segment
        fanOut.broadcast(update("final", Stage.LIVE, 1));
        for (EmbeddedChannel ch : List.of(us1, us2, usJson, br, fr)) {
            ch.runPendingTasks();
        }
        io.netty.buffer.ByteBuf a = us1.readOutbound();
        io.netty.buffer.ByteBuf b = us2.readOutbound();
        // Encoded once per (bundle version, format): devices of one segment share the bytes.
        assertThat(Fixtures.memoryOf(a)).isSameAs(Fixtures.memoryOf(b));
        assertThat(Fixtures.decode(WireFormat.PROTOBUF, a).getStageUpdate().getBundleVersion()).isEqualTo("v-us");
        assertThat(Fixtures.decode(WireFormat.PROTOBUF, b).getStageUpdate().getBundleVersion()).isEqualTo("v-us");
        assertThat(Fixtures.decode(WireFormat.JSON, usJson.readOutbound()).getStageUpdate().getBundleVersion()).isEqualTo("v-us");
        assertThat(Fixtures.decode(WireFormat.PROTOBUF, br.readOutbound()).getStageUpdate().getBundleVersion()).isEqualTo("v-br");
        assertThat(Fixtures.decode(WireFormat.PROTOBUF, fr.readOutbound()).getStageUpdate().getBundleVersion()).isEmpty();
    }

    @Test
    void aSegmentedUpdateNamesOnlyItsAudiencesBundles() throws Exception {
        held.put("semi", java.util.Map.of("us-en", "v-us", "br-pt", "v-br"));
        EmbeddedChannel us = device("us", "us-en", WireFormat.PROTOBUF);
        EmbeddedChannel br = device("br", "br-pt", WireFormat.PROTOBUF);
        fanOut.broadcast(update("semi", Stage.LIVE, 1, "us-en"));
        us.runPendingTasks();
        br.runPendingTasks();
        assertThat(Fixtures.decode(WireFormat.PROTOBUF, us.readOutbound()).getStageUpdate().getBundleVersion()).isEqualTo("v-us");
        assertThat((Object) br.readOutbound()).isNull();
    }

    @Test
    void everyEncodingIsGivenBackOnceTheDevicesFramesAreWritten() {
        held.put("final", java.util.Map.of("us-en", "v-us", "br-pt", "v-br"));
        List<EmbeddedChannel> devices = new ArrayList<>();
        for (String segment : List.of("us-en", "br-pt", "fr-fr")) {
            for (WireFormat format : WireFormat.values()) {
                for (int i = 0; i < 2; i++) {
                    devices.add(device(segment + "-" + format + "-" + i, segment, format));
                }
            }
        }
        fanOut.broadcast(update("final", Stage.LIVE, 1));
        devices.forEach(EmbeddedChannel::runPendingTasks);

        // Every loop's walk is done: the views written are the only references left, two per encoding.
        java.util.Map<io.netty.buffer.ByteBuf, Integer> views = new java.util.IdentityHashMap<>();
        List<io.netty.buffer.ByteBuf> written = new ArrayList<>();
        for (EmbeddedChannel ch : devices) {
            io.netty.buffer.ByteBuf frame = ch.readOutbound();
            written.add(frame);
            views.merge(Fixtures.memoryOf(frame), 1, Integer::sum);
        }
        assertThat(views).hasSize(6).allSatisfy((memory, count) -> {
            assertThat(count).isEqualTo(2);
            assertThat(memory.refCnt()).isEqualTo(2);
        });
        written.forEach(io.netty.buffer.ByteBuf::release);
        assertThat(views.keySet()).allSatisfy(memory -> assertThat(memory.refCnt()).isZero());
    }

    @Test
    void figuresCountDistinctDevicesAndWithheldOnesAsTargeted() throws Exception {
        EmbeddedChannel fast = device("fast", "us-en", WireFormat.PROTOBUF);
        EmbeddedChannel slow = device("slow", "us-en", WireFormat.PROTOBUF);
        slow.config().setWriteBufferWaterMark(new io.netty.channel.WriteBufferWaterMark(8, 16));
        slow.write(io.netty.buffer.Unpooled.wrappedBuffer(new byte[64]));
        fanOut.broadcast(update("final", Stage.LIVE, 1));
        fast.runPendingTasks();
        slow.runPendingTasks();
        io.kickoff.protocol.v1.EventDelivery d = stats.snapshot().getEvents(0);
        assertThat(d.getTargeted()).isEqualTo(2);
        assertThat(d.getWritten()).isEqualTo(1);
        io.netty.util.ReferenceCountUtil.release(fast.readOutbound());
        slow.finishAndReleaseAll();
    }
}
