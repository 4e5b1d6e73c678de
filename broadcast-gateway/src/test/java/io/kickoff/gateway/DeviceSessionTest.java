package io.kickoff.gateway;

import static io.kickoff.gateway.Fixtures.decode;
import static io.kickoff.gateway.Fixtures.update;
import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.protocol.WireFormat;
import io.kickoff.protocol.v1.Ack;
import io.kickoff.protocol.v1.ClientFrame;
import io.kickoff.protocol.v1.ErrorCode;
import io.kickoff.protocol.v1.Hello;
import io.kickoff.protocol.v1.Ping;
import io.kickoff.protocol.v1.ServerFrame;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.StageUpdate;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import java.util.List;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.channel.ChannelId;
import io.netty.channel.DefaultChannelId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The session conversation, handler by handler, on an embedded channel. */
class DeviceSessionTest {
    final WorldState world = new WorldState();
    final SessionRegistry registry = new SessionRegistry();
    final GatewayConfig config = GatewayConfig.builder().nodeId("gw-test").build();
    final GatewayMetrics metrics = new GatewayMetrics("gw-test");
    final SessionServices services = services(config);

    SessionServices services(GatewayConfig c) {
        return new SessionServices(c, world, registry, Fixtures.CLOCK, metrics,
                new DeliveryStats("gw-test", Fixtures.CLOCK, registry::size), new BundleDelivery(config, registry, metrics, Fixtures.CLOCK), new Farewells(metrics), () -> false, Fixtures.viewing());
    }

    double acks() {
        return metrics.count("kickoff_gateway_acks");
    }

    @BeforeEach
    void world() {
        world.apply(update("final", Stage.LIVE, 4));
        world.apply(update("semi", Stage.PRE_SHOW, 2, "us-en"));
        world.apply(update("fr-only", Stage.LIVE, 3, "fr-fr"));
        world.apply(update("old", Stage.ENDED, 9));
    }

    EmbeddedChannel device(String segment, WireFormat format) {
        EmbeddedChannel ch = new EmbeddedChannel();
        Fixtures.attachSession(ch, "dev-1", segment, format);
        ch.pipeline().addLast(new ServerFrameEncoder(),
                new DeviceSessionHandler(services, new ClientFrameDecoder(services.farewells(), 100, 100)));
        ch.pipeline().fireUserEventTriggered(new WebSocketServerProtocolHandler.HandshakeComplete(
                "/v1/connect", (HttpHeaders) EmptyHttpHeaders.INSTANCE, format.subprotocol()));
        return ch;
    }

    static WebSocketFrame frame(WireFormat format, ClientFrame frame) {
        byte[] bytes = format.encode(frame);
        return format.isText() ? new TextWebSocketFrame(Unpooled.wrappedBuffer(bytes))
                : new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes));
    }

    static ClientFrame hello(String eventId, long seq) {
        Hello.Builder hello = Hello.newBuilder();
        if (eventId != null) {
            hello.putPositions(eventId, seq);
        }
        return ClientFrame.newBuilder().setHello(hello).build();
    }

    @Test
    void theSessionIdIsEightHexDigitsOfTheChannelId() {
        ChannelId id = DefaultChannelId.newInstance();
        assertThat(DeviceSessionHandler.sessionId(id)).matches("[0-9a-f]{8}")
                .isEqualTo(DeviceSessionHandler.sessionId(id))
                .isNotEqualTo(DeviceSessionHandler.sessionId(DefaultChannelId.newInstance()));
    }

    @Test
    void welcomeCarriesWhatTheDeviceIsBehindOnInItsAudience() throws Exception {
        EmbeddedChannel ch = device("us-en", WireFormat.PROTOBUF);
        ch.writeInbound(frame(WireFormat.PROTOBUF, hello("final", 4)));
        ServerFrame welcome = decode(WireFormat.PROTOBUF, ch.readOutbound());
        assertThat(welcome.getWelcome().getNodeId()).isEqualTo("gw-test");
        assertThat(welcome.getWelcome().getHeartbeatIntervalMs()).isPositive();
        // final: device is at 4 already; fr-only: not its audience; old: ended and unknown to it.
        assertThat(welcome.getWelcome().getSnapshotList()).extracting(StageUpdate::getEventId).containsExactly("semi");
        assertThat(registry.size()).isEqualTo(1);
    }

    @Test
    void welcomeTellsAReturningDeviceThatItsEventEnded() throws Exception {
        EmbeddedChannel ch = device("us-en", WireFormat.JSON);
        ch.writeInbound(frame(WireFormat.JSON, hello("old", 5)));
        ServerFrame welcome = decode(WireFormat.JSON, ch.readOutbound());
        assertThat(welcome.getWelcome().getSnapshotList()).extracting(StageUpdate::getEventId)
                .containsExactlyInAnyOrder("final", "semi", "old");
    }

    @Test
    void deviceAheadOfTheGatewayIsNotSentOlderState() throws Exception {
        EmbeddedChannel ch = device("us-en", WireFormat.PROTOBUF);
        ch.writeInbound(frame(WireFormat.PROTOBUF, hello("final", 7)));
        ServerFrame welcome = decode(WireFormat.PROTOBUF, ch.readOutbound());
        assertThat(welcome.getWelcome().getSnapshotList()).extracting(StageUpdate::getEventId).doesNotContain("final");
        assertThat(ch.attr(DeviceSession.KEY).get().position("final")).isEqualTo(7);
    }

    @Test
    void overTheInboundRateIs1008() throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel();
        Fixtures.attachSession(ch, "dev-1", "us-en", WireFormat.PROTOBUF);
        ch.pipeline().addLast(new ServerFrameEncoder(),
                new DeviceSessionHandler(services, new ClientFrameDecoder(services.farewells(), 1, 3)));
        ch.writeInbound(frame(WireFormat.PROTOBUF, hello(null, 0)));
        decode(WireFormat.PROTOBUF, ch.readOutbound());
        for (int i = 0; i < 3; i++) {
            ch.writeInbound(frame(WireFormat.PROTOBUF, ClientFrame.newBuilder().setPing(Ping.newBuilder().setNonce(i)).build()));
        }
        // Burst of 3: hello and two pings pass, the third ping is over the rate.
        decode(WireFormat.PROTOBUF, ch.readOutbound());
        decode(WireFormat.PROTOBUF, ch.readOutbound());
        assertErrorThenClose(ch, WireFormat.PROTOBUF, ErrorCode.RATE_LIMITED, 1008);
        assertThat(metrics.count("kickoff_gateway_closes", "reason", "rate_limited")).isEqualTo(1);
    }

    @Test
    void aNewerConnectionOfTheSameDeviceSendsTheOlderAway() throws Exception {
        EmbeddedChannel older = device("us-en", WireFormat.PROTOBUF);
        older.writeInbound(frame(WireFormat.PROTOBUF, hello(null, 0)));
        decode(WireFormat.PROTOBUF, older.readOutbound());
        EmbeddedChannel newer = device("us-en", WireFormat.PROTOBUF);
        newer.writeInbound(frame(WireFormat.PROTOBUF, hello(null, 0)));
        decode(WireFormat.PROTOBUF, newer.readOutbound());
        older.runPendingTasks();
        ServerFrame goAway = decode(WireFormat.PROTOBUF, older.readOutbound());
        assertThat(goAway.getGoAway().getReason()).isEqualTo("replaced");
        CloseWebSocketFrame close = older.readOutbound();
        assertThat(close.statusCode()).isEqualTo(1001);
        close.release();
        assertThat(older.isOpen()).isFalse();
        // The late close of the older connection did not unregister the newer one.
        DeviceSession current = newer.attr(DeviceSession.KEY).get();
        assertThat(registry.byDevice("dev-1")).containsSame(current);
        assertThat(registry.size()).isEqualTo(1);
    }

    @Test
    void acksAndPingsAfterHello() throws Exception {
        EmbeddedChannel ch = device("us-en", WireFormat.PROTOBUF);
        ch.writeInbound(frame(WireFormat.PROTOBUF, hello(null, 0)));
        decode(WireFormat.PROTOBUF, ch.readOutbound());
        ch.writeInbound(frame(WireFormat.PROTOBUF, ClientFrame.newBuilder().setAck(Ack.newBuilder().setEventId("final").setSeq(4)).build()));
        assertThat(acks()).isEqualTo(1);
        ch.writeInbound(frame(WireFormat.PROTOBUF, ClientFrame.newBuilder().setPing(Ping.newBuilder().setNonce(99)).build()));
        assertThat(decode(WireFormat.PROTOBUF, ch.readOutbound()).getPong().getNonce()).isEqualTo(99);
    }

    @Test
    void ackBeforeHelloIsAPolicyViolation() throws Exception {
        EmbeddedChannel ch = device("us-en", WireFormat.PROTOBUF);
        ch.writeInbound(frame(WireFormat.PROTOBUF, ClientFrame.newBuilder().setAck(Ack.newBuilder().setEventId("e").setSeq(1)).build()));
        assertErrorThenClose(ch, WireFormat.PROTOBUF, ErrorCode.PROTOCOL_VIOLATION, 1008);
        assertThat(acks()).isZero();
    }

    @Test
    void secondHelloIsAPolicyViolation() throws Exception {
        EmbeddedChannel ch = device("us-en", WireFormat.PROTOBUF);
        ch.writeInbound(frame(WireFormat.PROTOBUF, hello(null, 0)));
        decode(WireFormat.PROTOBUF, ch.readOutbound());
        ch.writeInbound(frame(WireFormat.PROTOBUF, hello(null, 0)));
        assertErrorThenClose(ch, WireFormat.PROTOBUF, ErrorCode.PROTOCOL_VIOLATION, 1008);
    }

    @Test
    void malformedFrameGetsErrorThenClose1007() throws Exception {
        EmbeddedChannel ch = device("us-en", WireFormat.PROTOBUF);
        ch.writeInbound(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {0x0a, 0x7f, 0x01})));
        assertErrorThenClose(ch, WireFormat.PROTOBUF, ErrorCode.MALFORMED_FRAME, 1007);
    }

    @Test
    void emptyFrameIsUnknown1007() throws Exception {
        EmbeddedChannel ch = device("us-en", WireFormat.JSON);
        ch.writeInbound(new TextWebSocketFrame("{}"));
        assertErrorThenClose(ch, WireFormat.JSON, ErrorCode.UNKNOWN_FRAME, 1007);
    }

    @Test
    void wrongFrameKindForTheSubprotocolIs1003() throws Exception {
        EmbeddedChannel ch = device("us-en", WireFormat.PROTOBUF);
        ch.writeInbound(new TextWebSocketFrame("{\"hello\":{}}"));
        assertErrorThenClose(ch, WireFormat.PROTOBUF, ErrorCode.PROTOCOL_VIOLATION, 1003);
    }

    @Test
    void noHelloInTimeCloses1008() throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel();
        Fixtures.attachSession(ch, "dev-1", "us-en", WireFormat.PROTOBUF);
        GatewayConfig quick = config.toBuilder().helloTimeout(java.time.Duration.ZERO).build();
        SessionServices quickServices = services(quick);
        ch.pipeline().addLast(new ServerFrameEncoder(),
                new DeviceSessionHandler(quickServices, new ClientFrameDecoder(quickServices.farewells(), 100, 100)));
        ch.pipeline().fireUserEventTriggered(new WebSocketServerProtocolHandler.HandshakeComplete(
                "/v1/connect", (HttpHeaders) EmptyHttpHeaders.INSTANCE, "kickoff.v1.proto"));
        ch.runScheduledPendingTasks();
        assertErrorThenClose(ch, WireFormat.PROTOBUF, ErrorCode.PROTOCOL_VIOLATION, 1008);
        assertThat(registry.size()).isZero();
    }

    @Test
    void closedSessionLeavesTheRegistry() throws Exception {
        EmbeddedChannel ch = device("us-en", WireFormat.PROTOBUF);
        ch.writeInbound(frame(WireFormat.PROTOBUF, hello(null, 0)));
        assertThat(registry.size()).isEqualTo(1);
        ch.close();
        assertThat(registry.size()).isZero();
    }

    @Test
    void brokenFramingAndInvalidUtf8CloseWithoutAnErrorFrame() {
        for (WebSocketCloseStatus status : List.of(WebSocketCloseStatus.PROTOCOL_ERROR, WebSocketCloseStatus.INVALID_PAYLOAD_DATA)) {
            EmbeddedChannel ch = device("us-en", WireFormat.JSON);
            ch.pipeline().fireExceptionCaught(new CorruptedWebSocketFrameException(status, "bad framing"));
            CloseWebSocketFrame close = ch.readOutbound();
            assertThat(close.statusCode()).isEqualTo(status.code());
            assertThat(close.reasonText()).isEqualTo("bad framing");
            close.release();
            assertThat(ch.<Object>readOutbound()).as("nothing but the close frame").isNull();
            assertThat(ch.isOpen()).isFalse();
        }
        assertThat(metrics.count("kickoff_gateway_closes", "reason", "bad_framing")).isEqualTo(2);
    }

    @Test
    void aFrameOverTheCapStillGetsItsErrorFrameBefore1009() throws Exception {
        EmbeddedChannel ch = device("us-en", WireFormat.JSON);
        ch.pipeline().fireExceptionCaught(new CorruptedWebSocketFrameException(WebSocketCloseStatus.MESSAGE_TOO_BIG, "too big"));
        assertErrorThenClose(ch, WireFormat.JSON, ErrorCode.FRAME_TOO_LARGE, 1009);
    }

    @Test
    void unackedWelcomeSnapshotEntriesAreRedeliveredLikeUpdates() throws Exception {
        EmbeddedChannel ch = device("us-en", WireFormat.PROTOBUF);
        long greetedAt = System.nanoTime();
        ch.writeInbound(frame(WireFormat.PROTOBUF, hello(null, 0)));
        ServerFrame welcome = decode(WireFormat.PROTOBUF, ch.readOutbound());
        assertThat(welcome.getWelcome().getSnapshotList()).extracting(StageUpdate::getEventId)
                .containsExactlyInAnyOrder("final", "semi");
        ch.writeInbound(frame(WireFormat.PROTOBUF, ClientFrame.newBuilder()
                .setAck(Ack.newBuilder().setEventId("final").setSeq(4)).build()));

        new SessionUpkeep(services, ch.eventLoop()).runAt(greetedAt + config.ackTimeout().toNanos() + 1_000_000_000L);
        ServerFrame again = decode(WireFormat.PROTOBUF, ch.readOutbound());
        assertThat(again.getStageUpdate().getEventId()).as("the un-acked entry comes again").isEqualTo("semi");
        assertThat(again.getStageUpdate().getSeq()).isEqualTo(2);
        assertThat(ch.<Object>readOutbound()).as("the acked one does not").isNull();
        assertThat(metrics.count("kickoff_gateway_redeliveries")).isEqualTo(1);
    }

    static void assertErrorThenClose(EmbeddedChannel ch, WireFormat format, ErrorCode code, int closeCode) throws Exception {
        ServerFrame error = decode(format, ch.readOutbound());
        assertThat(error.getError().getCode()).isEqualTo(code);
        assertThat(error.getError().getMessage()).isNotBlank();
        CloseWebSocketFrame close = ch.readOutbound();
        assertThat(close.statusCode()).isEqualTo(closeCode);
        close.release();
        assertThat(ch.isOpen()).isFalse();
    }

    static io.kickoff.bus.BusRecord bundleRecord(String eventId, String segment, String version) {
        io.kickoff.protocol.v1.Bundle bundle = io.kickoff.protocol.v1.Bundle.newBuilder()
                .setEventId(eventId).setSegment(segment).setVersion(version).build();
        return new io.kickoff.bus.BusRecord(io.kickoff.bus.Topic.BUNDLES, eventId + ":" + segment, bundle.toByteArray(), 0);
    }

    @Test
    void welcomeSnapshotNamesTheBundleVersionOfTheDevicesSegment() throws Exception {
        services.bundles().onBundleRecord(bundleRecord("final", "us-en", "v-us"));
        services.bundles().onBundleRecord(bundleRecord("final", "br-pt", "v-br"));
        try {
            EmbeddedChannel us = device("us-en", WireFormat.PROTOBUF);
            Hello held = Hello.newBuilder().putBundleVersions("final", "v-us").build();
            us.writeInbound(frame(WireFormat.PROTOBUF, ClientFrame.newBuilder().setHello(held).build()));
            ServerFrame welcome = decode(WireFormat.PROTOBUF, us.readOutbound());
            assertThat(welcome.getWelcome().getSnapshotList())
                    .extracting(StageUpdate::getEventId, StageUpdate::getBundleVersion)
                    .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("final", "v-us"),
                            org.assertj.core.groups.Tuple.tuple("semi", "")); // semi: no bundle for us-en
            us.finishAndReleaseAll();

            EmbeddedChannel br = new EmbeddedChannel();
            Fixtures.attachSession(br, "dev-2", "br-pt", WireFormat.JSON);
            br.pipeline().addLast(new ServerFrameEncoder(),
                    new DeviceSessionHandler(services, new ClientFrameDecoder(services.farewells(), 100, 100)));
            br.writeInbound(frame(WireFormat.JSON, hello(null, 0)));
            ServerFrame brWelcome = decode(WireFormat.JSON, br.readOutbound());
            assertThat(brWelcome.getWelcome().getSnapshotList()).extracting(StageUpdate::getBundleVersion)
                    .containsExactly("v-br");
            br.finishAndReleaseAll();
        } finally {
            services.bundles().close();
        }
    }

    @Test
    void aDeviceReconnectingToTheSameNodeCountsOnceAndItsHelloPositionIsItsAck() throws Exception {
        for (int connection = 0; connection < 3; connection++) {
            // The update reaches the device each time, and the connection ends before its ack.
            EmbeddedChannel ch = device("us-en", WireFormat.PROTOBUF);
            ch.writeInbound(frame(WireFormat.PROTOBUF, hello(null, 0)));
            assertThat(decode(WireFormat.PROTOBUF, ch.readOutbound()).getWelcome().getSnapshotList())
                    .extracting(StageUpdate::getEventId).contains("final");
            ch.finishAndReleaseAll();
        }
        io.kickoff.protocol.v1.EventDelivery before = finalDelivery();
        assertThat(before.getTargeted()).isEqualTo(1);
        assertThat(before.getWritten()).isEqualTo(1);
        assertThat(before.getAcked()).isZero();
        // Next connection: the device says it applied seq 4.
        EmbeddedChannel ch = device("us-en", WireFormat.PROTOBUF);
        ch.writeInbound(frame(WireFormat.PROTOBUF, hello("final", 4)));
        ch.finishAndReleaseAll();
        io.kickoff.protocol.v1.EventDelivery after = finalDelivery();
        assertThat(after.getTargeted()).isEqualTo(1);
        assertThat(after.getAcked()).isEqualTo(1);
    }

    @Test
    void anAckCountsOnceForTheDeviceThatWasSentTheUpdate() throws Exception {
        EmbeddedChannel ch = device("us-en", WireFormat.PROTOBUF);
        ch.writeInbound(frame(WireFormat.PROTOBUF, hello(null, 0)));
        ch.writeInbound(frame(WireFormat.PROTOBUF, ClientFrame.newBuilder()
                .setAck(Ack.newBuilder().setEventId("final").setSeq(4)).build()));
        ch.writeInbound(frame(WireFormat.PROTOBUF, ClientFrame.newBuilder()
                .setAck(Ack.newBuilder().setEventId("final").setSeq(4)).build()));
        ch.finishAndReleaseAll();
        io.kickoff.protocol.v1.EventDelivery d = finalDelivery();
        assertThat(d.getTargeted()).isEqualTo(1);
        assertThat(d.getAcked()).isEqualTo(1);
    }

    io.kickoff.protocol.v1.EventDelivery finalDelivery() {
        return services.stats().snapshot().getEventsList().stream()
                .filter(d -> d.getEventId().equals("final")).findFirst().orElseThrow();
    }
}
