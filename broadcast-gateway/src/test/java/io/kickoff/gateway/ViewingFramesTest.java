package io.kickoff.gateway;

import static io.kickoff.gateway.DeviceSessionTest.assertErrorThenClose;
import static io.kickoff.gateway.DeviceSessionTest.frame;
import static io.kickoff.gateway.DeviceSessionTest.hello;
import static io.kickoff.gateway.Fixtures.decode;
import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.protocol.Timestamps;
import io.kickoff.protocol.WireFormat;
import io.kickoff.protocol.token.DeviceClaims;
import io.kickoff.protocol.v1.ClientFrame;
import io.kickoff.protocol.v1.ErrorCode;
import io.kickoff.protocol.v1.PlaybackState;
import io.kickoff.protocol.v1.ServerFrame;
import io.kickoff.protocol.v1.Viewing;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Viewing frames on an embedded channel: checked, completed from the session, queued; refused as protocol.md §7 says. */
class ViewingFramesTest {
    final SessionRegistry registry = new SessionRegistry();
    final GatewayConfig config = GatewayConfig.builder().nodeId("gw-test")
            .viewing(new GatewayConfig.ViewingSignals(Duration.ofSeconds(7), Duration.ofMillis(100), 10, 100)).build();
    final GatewayMetrics metrics = new GatewayMetrics("gw-test");
    final ViewingPublisher viewing = Fixtures.viewing();
    final SessionServices services = new SessionServices(config, new WorldState(), registry, Fixtures.CLOCK, metrics,
            new DeliveryStats("gw-test", Fixtures.CLOCK, registry::size),
            new BundleDelivery(config, registry, metrics, Fixtures.CLOCK), new Farewells(metrics), () -> false, viewing);

    EmbeddedChannel device(String account, WireFormat format, int perSecond, int burst) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.attr(DeviceSession.KEY).set(new DeviceSession(ch,
                new DeviceClaims("dev-1", "us-en", Fixtures.NOW.plusSeconds(3600), account), format));
        ch.pipeline().addLast(new ServerFrameEncoder(),
                new DeviceSessionHandler(services, new ClientFrameDecoder(services.farewells(), perSecond, burst)));
        return ch;
    }

    ServerFrame greet(EmbeddedChannel ch, WireFormat format) throws Exception {
        ch.writeInbound(frame(format, hello(null, 0)));
        return decode(format, ch.readOutbound());
    }

    static ClientFrame viewingFrame(String eventId, PlaybackState state) {
        return ClientFrame.newBuilder().setViewing(Viewing.newBuilder().setEventId(eventId).setState(state)
                .setPositionMs(42_000).setSessionId("play-9")).build();
    }

    @Test
    void welcomeTellsTheViewingHeartbeatInterval() throws Exception {
        EmbeddedChannel ch = device("", WireFormat.PROTOBUF, 100, 100);
        assertThat(greet(ch, WireFormat.PROTOBUF).getWelcome().getViewingHeartbeatIntervalMs()).isEqualTo(7_000);
        ch.finishAndReleaseAll();
    }

    @Test
    void aValidSignalIsQueuedWithTheSessionsFieldsAndTheGatewaysTime() throws Exception {
        EmbeddedChannel ch = device("acct-7", WireFormat.JSON, 100, 100);
        greet(ch, WireFormat.JSON);
        // What the device says of itself is replaced by what its token says.
        ch.writeInbound(new TextWebSocketFrame(Unpooled.copiedBuffer("{\"viewing\":{\"eventId\":\"final\",\"state\":\"PLAYING\","
                + "\"positionMs\":\"42000\",\"sessionId\":\"play-9\",\"deviceId\":\"someone-else\",\"segment\":\"xx\","
                + "\"at\":\"2001-01-01T00:00:00Z\"}}", StandardCharsets.UTF_8)));
        assertThat(ch.isOpen()).isTrue();
        assertThat((Object) ch.readOutbound()).isNull();
        assertThat(viewing.drainQueued(10)).containsExactly(Viewing.newBuilder().setEventId("final")
                .setState(PlaybackState.PLAYING).setPositionMs(42_000).setSessionId("play-9").setDeviceId("dev-1")
                .setSegment("us-en").setAccount("acct-7").setAt(Timestamps.of(Fixtures.NOW)).build());
        ch.finishAndReleaseAll();
    }

    @Test
    void aDeviceWithoutAnAccountSendsAnEmptyOne() throws Exception {
        EmbeddedChannel ch = device("", WireFormat.PROTOBUF, 100, 100);
        greet(ch, WireFormat.PROTOBUF);
        ch.writeInbound(frame(WireFormat.PROTOBUF, viewingFrame("final", PlaybackState.STOPPED)));
        List<Viewing> queued = viewing.drainQueued(10);
        assertThat(queued).singleElement().satisfies(v -> {
            assertThat(v.getAccount()).isEmpty();
            assertThat(v.getState()).isEqualTo(PlaybackState.STOPPED);
            assertThat(v.getDeviceId()).isEqualTo("dev-1");
        });
        ch.finishAndReleaseAll();
    }

    @ParameterizedTest
    @EnumSource(WireFormat.class)
    void aSignalWithoutAStateIs1007(WireFormat format) throws Exception {
        EmbeddedChannel ch = device("", format, 100, 100);
        greet(ch, format);
        ch.writeInbound(frame(format, viewingFrame("final", PlaybackState.PLAYBACK_STATE_UNSPECIFIED)));
        assertErrorThenClose(ch, format, ErrorCode.MALFORMED_FRAME, 1007);
        assertThat(viewing.queued()).isZero();
    }

    @Test
    void anUnknownStateNumberIs1007() throws Exception {
        EmbeddedChannel ch = device("", WireFormat.PROTOBUF, 100, 100);
        greet(ch, WireFormat.PROTOBUF);
        ch.writeInbound(frame(WireFormat.PROTOBUF, ClientFrame.newBuilder().setViewing(Viewing.newBuilder()
                .setEventId("final").setStateValue(9)).build()));
        assertErrorThenClose(ch, WireFormat.PROTOBUF, ErrorCode.MALFORMED_FRAME, 1007);
        assertThat(viewing.queued()).isZero();
    }

    @Test
    void anUnknownStateNameIs1007() throws Exception {
        EmbeddedChannel ch = device("", WireFormat.JSON, 100, 100);
        greet(ch, WireFormat.JSON);
        // A state this gateway does not know: the same answer as a frame without a state.
        ch.writeInbound(new TextWebSocketFrame(Unpooled.copiedBuffer(
                "{\"viewing\":{\"eventId\":\"final\",\"state\":\"REWINDING\"}}", StandardCharsets.UTF_8)));
        assertErrorThenClose(ch, WireFormat.JSON, ErrorCode.MALFORMED_FRAME, 1007);
        assertThat(viewing.queued()).isZero();
    }

    @Test
    void aBlankEventIdIs1007() throws Exception {
        EmbeddedChannel ch = device("", WireFormat.PROTOBUF, 100, 100);
        greet(ch, WireFormat.PROTOBUF);
        ch.writeInbound(frame(WireFormat.PROTOBUF, viewingFrame("  ", PlaybackState.PLAYING)));
        assertErrorThenClose(ch, WireFormat.PROTOBUF, ErrorCode.MALFORMED_FRAME, 1007);
        assertThat(viewing.queued()).isZero();
        assertThat(metrics.count("kickoff_gateway_closes", "reason", "bad_frame")).isEqualTo(1);
    }

    @Test
    void viewingBeforeHelloIsAPolicyViolation() throws Exception {
        EmbeddedChannel ch = device("", WireFormat.PROTOBUF, 100, 100);
        ch.writeInbound(frame(WireFormat.PROTOBUF, viewingFrame("final", PlaybackState.PLAYING)));
        assertErrorThenClose(ch, WireFormat.PROTOBUF, ErrorCode.PROTOCOL_VIOLATION, 1008);
        assertThat(viewing.queued()).isZero();
    }

    @Test
    void viewingSignalsSpendTheInboundRate() throws Exception {
        // Burst of 3: hello and two signals pass, the third is over the rate.
        EmbeddedChannel ch = device("", WireFormat.PROTOBUF, 1, 3);
        greet(ch, WireFormat.PROTOBUF);
        for (int i = 0; i < 3; i++) {
            ch.writeInbound(frame(WireFormat.PROTOBUF, viewingFrame("final", PlaybackState.PLAYING)));
        }
        assertErrorThenClose(ch, WireFormat.PROTOBUF, ErrorCode.RATE_LIMITED, 1008);
        assertThat(viewing.queued()).isEqualTo(2);
    }
}
