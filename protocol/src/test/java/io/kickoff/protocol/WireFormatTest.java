package io.kickoff.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kickoff.protocol.v1.Ack;
import io.kickoff.protocol.v1.Bundle;
import io.kickoff.protocol.v1.ClientFrame;
import io.kickoff.protocol.v1.GoAway;
import io.kickoff.protocol.v1.Hello;
import io.kickoff.protocol.v1.Ping;
import io.kickoff.protocol.v1.ReconnectPolicy;
import io.kickoff.protocol.v1.Rendering;
import io.kickoff.protocol.v1.ServerFrame;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.StageUpdate;
import io.kickoff.protocol.v1.TitleCard;
import io.kickoff.protocol.v1.Welcome;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class WireFormatTest {

    static final StageUpdate LIVE = StageUpdate.newBuilder()
            .setEventId("final-2026").setStage(Stage.LIVE).setSeq(7)
            .setIssuedAt(Timestamps.of(Instant.parse("2026-11-21T20:00:00.123Z")))
            .setScheduledStart(Timestamps.of(Instant.parse("2026-11-21T20:00:00Z")))
            .setBundleVersion("b-1f2e").setReason("scheduled").addSegments("us-en")
            .build();

    static Stream<ClientFrame> clientFrames() {
        return Stream.of(
                ClientFrame.newBuilder().setHello(Hello.newBuilder().putPositions("final-2026", 6)
                        .putPositions("semi-1", 2).addCapabilities("bundles").setClientVersion("tv/1.2")).build(),
                ClientFrame.newBuilder().setAck(Ack.newBuilder().setEventId("final-2026").setSeq(7)).build(),
                ClientFrame.newBuilder().setPing(Ping.newBuilder().setNonce(42)).build());
    }

    static Stream<ServerFrame> serverFrames() {
        return Stream.of(
                ServerFrame.newBuilder().setWelcome(Welcome.newBuilder()
                        .setServerTime(Timestamps.of(Instant.parse("2026-11-21T19:59:00Z")))
                        .setHeartbeatIntervalMs(25_000)
                        .setReconnect(ReconnectPolicy.newBuilder().setBaseDelayMs(500).setMaxDelayMs(30_000))
                        .addSnapshot(LIVE).setNodeId("gw-1").setSessionId("s-1")).build(),
                ServerFrame.newBuilder().setStageUpdate(LIVE).build(),
                ServerFrame.newBuilder().setBundle(Bundle.newBuilder().setEventId("final-2026").setSegment("us-en")
                        .setVersion("b-1f2e")
                        .putStages("LIVE", Rendering.newBuilder().setRowTitle("Live now").setCallToAction("Watch")
                                .addTitles(TitleCard.newBuilder().setTitleId("t1").setName("The Final")
                                        .addGenres("sport").setArtworkUrl("https://img/x.jpg"))
                                .addBadges("Live").build())
                        .setExpiresAt(Timestamps.of(Instant.parse("2026-11-22T00:00:00Z")))).build(),
                ServerFrame.newBuilder().setGoAway(GoAway.newBuilder().setReconnectAfterMs(1234).setReason("drain")).build());
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> everyFormatAndClientFrame() {
        return Stream.of(WireFormat.values()).flatMap(f -> clientFrames().map(c -> org.junit.jupiter.params.provider.Arguments.of(f, c)));
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> everyFormatAndServerFrame() {
        return Stream.of(WireFormat.values()).flatMap(f -> serverFrames().map(s -> org.junit.jupiter.params.provider.Arguments.of(f, s)));
    }

    @ParameterizedTest
    @MethodSource("everyFormatAndClientFrame")
    void clientFramesRoundTrip(WireFormat format, ClientFrame frame) throws Exception {
        assertThat(format.decodeClientFrame(format.encode(frame))).isEqualTo(frame);
    }

    @ParameterizedTest
    @MethodSource("everyFormatAndServerFrame")
    void serverFramesRoundTrip(WireFormat format, ServerFrame frame) throws Exception {
        assertThat(format.decodeServerFrame(format.encode(frame))).isEqualTo(frame);
    }

    @Test
    void jsonIsCanonicalProtobufJson() {
        String json = new String(WireFormat.JSON.encode(ServerFrame.newBuilder().setStageUpdate(LIVE).build()),
                StandardCharsets.UTF_8);
        assertThat(json).isEqualTo("{\"stageUpdate\":{\"eventId\":\"final-2026\",\"stage\":\"LIVE\",\"seq\":\"7\","
                + "\"issuedAt\":\"2026-11-21T20:00:00.123Z\",\"scheduledStart\":\"2026-11-21T20:00:00Z\","
                + "\"bundleVersion\":\"b-1f2e\",\"reason\":\"scheduled\",\"segments\":[\"us-en\"]}}");
    }

    @Test
    void jsonAcceptsOriginalFieldNamesAndIgnoresUnknownFields() throws Exception {
        ClientFrame frame = WireFormat.JSON.decodeClientFrame(
                "{\"ack\":{\"event_id\":\"e\",\"seq\":3,\"future_field\":true}}".getBytes(StandardCharsets.UTF_8));
        assertThat(frame.getAck().getEventId()).isEqualTo("e");
        assertThat(frame.getAck().getSeq()).isEqualTo(3);
    }

    @Test
    void viewingIsAClientFrameInBothFormats() throws Exception {
        ClientFrame viewing = ClientFrame.newBuilder().setViewing(io.kickoff.protocol.v1.Viewing.newBuilder()
                .setEventId("final-2026").setState(io.kickoff.protocol.v1.PlaybackState.PLAYING)
                .setPositionMs(120_000).setSessionId("play-1")).build();
        String json = new String(WireFormat.JSON.encode(viewing), StandardCharsets.UTF_8);
        assertThat(json).isEqualTo(
                "{\"viewing\":{\"eventId\":\"final-2026\",\"state\":\"PLAYING\",\"positionMs\":\"120000\",\"sessionId\":\"play-1\"}}");
        assertThat(WireFormat.JSON.decodeClientFrame(json.getBytes(StandardCharsets.UTF_8))).isEqualTo(viewing);
        assertThat(WireFormat.JSON.decodeClientFrame(
                "{\"viewing\":{\"event_id\":\"final-2026\",\"state\":\"PLAYING\",\"position_ms\":120000,\"session_id\":\"play-1\"}}"
                        .getBytes(StandardCharsets.UTF_8))).isEqualTo(viewing);
        assertThat(WireFormat.PROTOBUF.decodeClientFrame(WireFormat.PROTOBUF.encode(viewing))).isEqualTo(viewing);
    }

    @Test
    void welcomeTellsTheViewingHeartbeat() throws Exception {
        ServerFrame welcome = ServerFrame.newBuilder().setWelcome(Welcome.newBuilder().setViewingHeartbeatIntervalMs(10_000)).build();
        assertThat(new String(WireFormat.JSON.encode(welcome), StandardCharsets.UTF_8))
                .isEqualTo("{\"welcome\":{\"viewingHeartbeatIntervalMs\":10000}}");
    }

    @Test
    void malformedJsonIsRefused() {
        assertThatThrownBy(() -> WireFormat.JSON.decodeClientFrame("{\"ack\":".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedFrameException.class);
        assertThatThrownBy(() -> WireFormat.JSON.decodeClientFrame("{\"ack\":{\"seq\":\"minus\"}}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedFrameException.class);
        assertThatThrownBy(() -> WireFormat.JSON.decodeClientFrame(new byte[] {(byte) 0xff, (byte) 0xfe}))
                .isInstanceOf(MalformedFrameException.class);
    }

    @Test
    void malformedBinaryIsRefused() {
        // A length-delimited field (hello) that claims more bytes than follow.
        assertThatThrownBy(() -> WireFormat.PROTOBUF.decodeClientFrame(new byte[] {0x0a, 0x7f, 0x01}))
                .isInstanceOf(MalformedFrameException.class);
    }

    @ParameterizedTest
    @EnumSource(WireFormat.class)
    void emptyFrameDecodesToNoFrame(WireFormat format) throws Exception {
        byte[] empty = format == WireFormat.JSON ? "{}".getBytes(StandardCharsets.UTF_8) : new byte[0];
        assertThat(format.decodeClientFrame(empty).getFrameCase()).isEqualTo(ClientFrame.FrameCase.FRAME_NOT_SET);
    }

    @Test
    void subprotocolsAreNamedAndFound() {
        assertThat(WireFormat.forSubprotocol("kickoff.v1.proto")).contains(WireFormat.PROTOBUF);
        assertThat(WireFormat.forSubprotocol("kickoff.v1.json")).contains(WireFormat.JSON);
        assertThat(WireFormat.forSubprotocol("mqtt")).isEmpty();
        assertThat(List.of(WireFormat.allSubprotocols().split(","))).containsExactly("kickoff.v1.proto", "kickoff.v1.json");
    }
}
