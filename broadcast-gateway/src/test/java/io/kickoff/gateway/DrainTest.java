package io.kickoff.gateway;

import static io.kickoff.gateway.Fixtures.decode;
import static io.kickoff.gateway.Fixtures.update;
import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.protocol.WireFormat;
import io.kickoff.protocol.v1.ClientFrame;
import io.kickoff.protocol.v1.Hello;
import io.kickoff.protocol.v1.ServerFrame;
import io.kickoff.protocol.v1.Stage;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A drain's schedule and what the upkeep does with it, driven with explicit times on embedded channels. */
class DrainTest {
    static final long SECOND = 1_000_000_000L;
    static final long ROUND = SECOND / 10;
    static final Duration WINDOW = Duration.ofSeconds(10);
    static final long GRACE = Drain.GO_AWAY_GRACE.toNanos();

    final WorldState world = new WorldState();
    final SessionRegistry registry = new SessionRegistry();
    final GatewayMetrics metrics = new GatewayMetrics("gw-test");
    final GatewayConfig config = GatewayConfig.builder().heartbeatInterval(Duration.ofSeconds(100))
            .idleTimeout(Duration.ofSeconds(300)).lifetime(Duration.ofHours(1), Duration.ZERO).drainWindow(WINDOW).build();
    final BundleDelivery bundles = new BundleDelivery(config, registry, metrics, Fixtures.CLOCK);
    final SessionServices services = new SessionServices(config, world, registry, Fixtures.CLOCK, metrics,
            new DeliveryStats("gw-test", Fixtures.CLOCK, registry::size), bundles, new Farewells(metrics), () -> true, Fixtures.viewing());
    final long t0 = 1_000 * SECOND;
    final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void release() {
        for (EmbeddedChannel ch : channels) {
            ch.finishAndReleaseAll();
        }
        bundles.close();
    }

    EmbeddedChannel greeted(String id) {
        EmbeddedChannel ch = GreetedSessions.open(registry, id, t0);
        DeviceSession session = session(ch);
        // As the session handler does on channelInactive.
        ch.closeFuture().addListener(f -> registry.remove(session));
        channels.add(ch);
        return ch;
    }

    static DeviceSession session(EmbeddedChannel ch) {
        return ch.attr(DeviceSession.KEY).get();
    }

    List<DeviceSession> sessions() {
        return channels.stream().map(DrainTest::session).toList();
    }

    /** One upkeep round on every channel's loop at {@code now}, the device reading what it is sent. */
    void round(long now) {
        for (EmbeddedChannel ch : channels) {
            if (ch.isOpen()) {
                session(ch).readAt(now);
                new SessionUpkeep(services, ch.eventLoop()).runAt(now);
            }
        }
    }

    /** Everything written to the channel since last asked, decoded; close frames as 'close:<code>'. */
    static List<String> written(EmbeddedChannel ch) throws Exception {
        List<String> frames = new ArrayList<>();
        for (Object out = ch.readOutbound(); out != null; out = ch.readOutbound()) {
            if (out instanceof CloseWebSocketFrame close) {
                frames.add("close:" + close.statusCode());
                ReferenceCountUtil.release(close);
            } else {
                ServerFrame frame = decode(WireFormat.PROTOBUF, out);
                frames.add(switch (frame.getFrameCase()) {
                    case GO_AWAY -> "go_away:" + frame.getGoAway().getReason() + ":" + frame.getGoAway().getReconnectAfterMs();
                    case STAGE_UPDATE -> "update:" + frame.getStageUpdate().getSeq();
                    default -> frame.getFrameCase().name();
                });
            }
        }
        return frames;
    }

    @Test
    void momentsAreSpreadEvenlyOverTheWindowWithJitter() {
        for (int i = 0; i < 100; i++) {
            greeted("d" + i);
        }
        Drain drain = new Drain(WINDOW, t0);
        assertThat(drain.schedule(sessions(), t0, new SplittableRandom(1))).isEqualTo(100);

        int[] perSecond = new int[10];
        for (DeviceSession s : sessions()) {
            assertThat(s.leaveAt()).isBetween(t0, t0 + 10 * SECOND - 1);
            perSecond[(int) ((s.leaveAt() - t0) / SECOND)]++;
        }
        // Each device has its own tenth of a second of the window: every second of it sends ten away.
        assertThat(perSecond).containsOnly(10);
        // Jittered within the slices: another draw gives other moments, with the same spread.
        List<Long> first = sessions().stream().map(DeviceSession::leaveAt).toList();
        sessions().forEach(s -> s.leaveAt(Long.MAX_VALUE));
        new Drain(WINDOW, t0).schedule(sessions(), t0, new SplittableRandom(2));
        assertThat(sessions().stream().map(DeviceSession::leaveAt).toList()).isNotEqualTo(first);
    }

    @Test
    void scheduledLateInTheWindowTheMomentsFillWhatRemains() {
        for (int i = 0; i < 10; i++) {
            greeted("d" + i);
        }
        new Drain(WINDOW, t0).schedule(sessions(), t0 + 8 * SECOND, new SplittableRandom(3));
        assertThat(sessions()).allSatisfy(s -> assertThat(s.leaveAt()).isBetween(t0 + 8 * SECOND, t0 + 10 * SECOND - 1));
        new Drain(Duration.ZERO, t0).schedule(sessions(), t0, new SplittableRandom(3));
        assertThat(sessions()).as("already scheduled: kept").allSatisfy(s -> assertThat(s.leaveAt()).isGreaterThanOrEqualTo(t0 + 8 * SECOND));
    }

    @Test
    void devicesAreServedUntilTheirMomentThenGetOneGoAwayAndAreClosedAfterTheGrace() throws Exception {
        for (int i = 0; i < 20; i++) {
            greeted("d" + i);
        }
        new Drain(WINDOW, t0).schedule(sessions(), t0, new SplittableRandom(4));
        Map<EmbeddedChannel, List<String>> seen = new HashMap<>();
        Map<EmbeddedChannel, Long> goneAt = new HashMap<>();
        Map<EmbeddedChannel, Long> closedAt = new HashMap<>();
        for (long now = t0; now <= t0 + 15 * SECOND; now += ROUND) {
            if (now == t0 + 5 * SECOND) {
                world.apply(update("final", Stage.LIVE, 2)); // a stage change in the middle of the drain
            }
            round(now);
            for (EmbeddedChannel ch : channels) {
                List<String> frames = written(ch);
                seen.computeIfAbsent(ch, c -> new ArrayList<>()).addAll(frames);
                if (frames.stream().anyMatch(f -> f.startsWith("go_away"))) {
                    goneAt.put(ch, now);
                }
                if (!ch.isOpen() && !closedAt.containsKey(ch)) {
                    closedAt.put(ch, now);
                }
            }
        }
        for (EmbeddedChannel ch : channels) {
            long moment = session(ch).leaveAt();
            List<String> frames = seen.get(ch);
            assertThat(frames).as("exactly one go-away, reconnect at once, then 1001")
                    .containsOnlyOnce("go_away:drain:0").containsOnlyOnce("close:1001").endsWith("go_away:drain:0", "close:1001");
            assertThat(goneAt.get(ch)).as("sent away at its moment, within a round").isBetween(moment, moment + ROUND - 1);
            assertThat(closedAt.get(ch)).as("closed only after the grace").isBetween(goneAt.get(ch) + GRACE, goneAt.get(ch) + GRACE + ROUND);
            if (moment > t0 + 5 * SECOND) {
                assertThat(frames).as("still connected at the stage change: it was sent").startsWith("update:2");
            }
        }
        assertThat(seen.values()).as("some devices were still there at the change").anySatisfy(f -> assertThat(f).contains("update:2"));
        assertThat(metrics.count("kickoff_gateway_closes", "reason", "drain")).isEqualTo(20);
    }

    @Test
    void aDeviceThatClosesOnItsGoAwayLeavesAtOnceAndTheDrainIsOverWithTheLast() throws Exception {
        EmbeddedChannel a = greeted("a");
        EmbeddedChannel b = greeted("b");
        Drain drain = new Drain(WINDOW, t0);
        drain.schedule(sessions(), t0, new SplittableRandom(5));
        EmbeddedChannel first = session(a).leaveAt() < session(b).leaveAt() ? a : b;
        EmbeddedChannel last = first == a ? b : a;

        round(session(first).leaveAt());
        assertThat(written(first)).containsExactly("go_away:drain:0");
        assertThat(first.isOpen()).isTrue();
        first.close(); // the device went on to another node without waiting for the 1001
        assertThat(registry.size()).isEqualTo(1);
        assertThat(drain.over(registry.size(), session(last).leaveAt() - 1)).isFalse();

        round(session(last).leaveAt());
        assertThat(written(last)).containsExactly("go_away:drain:0");
        assertThat(drain.over(registry.size(), session(last).leaveAt())).as("the last one is still in its grace").isFalse();
        round(session(last).leaveAt() + GRACE);
        assertThat(last.isOpen()).isFalse();
        assertThat(drain.over(registry.size(), session(last).leaveAt() + GRACE)).isTrue();
    }

    @Test
    void theDrainIsOverAfterTheWindowAndTheGraceEvenIfDevicesRemain() {
        greeted("stuck");
        Drain drain = new Drain(WINDOW, t0);
        assertThat(drain.over(1, t0 + 10 * SECOND + GRACE - 1)).isFalse();
        assertThat(drain.over(1, t0 + 10 * SECOND + GRACE)).isTrue();
        assertThat(drain.over(0, t0)).isTrue();
    }

    @Test
    void aDeviceGreetedAfterTheDrainBeganGoesOnToAnotherNodeAtOnce() throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel();
        channels.add(ch);
        Fixtures.attachSession(ch, "late", "us-en", WireFormat.PROTOBUF);
        ch.pipeline().addLast(new ServerFrameEncoder(),
                new DeviceSessionHandler(services, new ClientFrameDecoder(services.farewells(), 100, 100))); // services say: draining
        ch.pipeline().fireUserEventTriggered(new WebSocketServerProtocolHandler.HandshakeComplete(
                "/v1/connect", (HttpHeaders) EmptyHttpHeaders.INSTANCE, WireFormat.PROTOBUF.subprotocol()));
        ch.writeInbound(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(WireFormat.PROTOBUF.encode(
                ClientFrame.newBuilder().setHello(Hello.getDefaultInstance()).build()))));
        assertThat(written(ch)).containsExactly("go_away:drain:0", "close:1001");
        assertThat(registry.size()).as("never joins the draining node").isZero();
    }
}
