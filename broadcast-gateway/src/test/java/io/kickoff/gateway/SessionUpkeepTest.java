package io.kickoff.gateway;

import static io.kickoff.gateway.Fixtures.decode;
import static io.kickoff.gateway.Fixtures.update;
import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.protocol.WireFormat;
import io.kickoff.protocol.v1.ServerFrame;
import io.kickoff.protocol.v1.Stage;
import io.netty.buffer.Unpooled;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The per-loop round, driven with explicit times. */
class SessionUpkeepTest {
    static final long SECOND = 1_000_000_000L;
    final WorldState world = new WorldState();
    final SessionRegistry registry = new SessionRegistry();
    final GatewayMetrics metrics = new GatewayMetrics("gw-test");
    final GatewayConfig config = GatewayConfig.builder().ackTimeout(Duration.ofSeconds(1)).maxRedeliveries(2)
            .heartbeatInterval(Duration.ofSeconds(100)).idleTimeout(Duration.ofSeconds(300))
            .slowConsumerTimeout(Duration.ofSeconds(5)).lifetime(Duration.ofHours(1), Duration.ZERO).build();
    final SessionServices services = new SessionServices(config, world, registry, Fixtures.CLOCK, metrics,
            new DeliveryStats("gw-test", Fixtures.CLOCK, registry::size), new BundleDelivery(config, registry, metrics, Fixtures.CLOCK), new Farewells(metrics), () -> false, Fixtures.viewing());
    final long t0 = 1_000 * SECOND;

    EmbeddedChannel greeted(String id) {
        return GreetedSessions.open(registry, id, t0);
    }

    SessionUpkeep upkeep(EmbeddedChannel ch) {
        return new SessionUpkeep(services, ch.eventLoop());
    }

    static DeviceSession session(EmbeddedChannel ch) {
        return ch.attr(DeviceSession.KEY).get();
    }

    long updateSeqOut(EmbeddedChannel ch) throws Exception {
        Object out = ch.readOutbound();
        if (out == null) {
            return -1;
        }
        ServerFrame frame = decode(WireFormat.PROTOBUF, out);
        return frame.getStageUpdate().getSeq();
    }

    @Test
    void unackedUpdateIsRedeliveredWithDoublingBackoffABoundedNumberOfTimes() throws Exception {
        world.apply(update("final", Stage.LIVE, 3));
        EmbeddedChannel ch = greeted("d1");
        session(ch).sending("final", 3, t0);
        SessionUpkeep upkeep = upkeep(ch);

        upkeep.runAt(t0 + SECOND / 2);
        assertThat(updateSeqOut(ch)).isEqualTo(-1);      // not yet due
        upkeep.runAt(t0 + SECOND);
        assertThat(updateSeqOut(ch)).isEqualTo(3);       // 1st redelivery after 1 s
        upkeep.runAt(t0 + 2 * SECOND);
        assertThat(updateSeqOut(ch)).isEqualTo(-1);      // backoff doubled: next after 2 s more
        upkeep.runAt(t0 + 3 * SECOND);
        assertThat(updateSeqOut(ch)).isEqualTo(3);       // 2nd (last) redelivery
        upkeep.runAt(t0 + 20 * SECOND);
        assertThat(updateSeqOut(ch)).isEqualTo(-1);      // out of redeliveries
        upkeep.runAt(t0 + 60 * SECOND);
        assertThat(updateSeqOut(ch)).isEqualTo(-1);
        assertThat(metrics.count("kickoff_gateway_redeliveries")).isEqualTo(2);
        assertThat(metrics.count("kickoff_gateway_redeliveries_exhausted")).isEqualTo(1);
    }

    @Test
    void aDeviceAwaitingAnAckIsLeftAloneUntilItsRedeliveryIsDue() throws Exception {
        world.apply(update("final", Stage.LIVE, 3));
        EmbeddedChannel ch = greeted("d1");
        DeviceSession session = session(ch);
        session.sending("final", 3, t0);
        long version = world.version();
        assertThat(session.needsTending(version, t0)).as("a new send: the next round works out when it is due").isTrue();

        upkeep(ch).runAt(t0 + SECOND / 10);
        // Rounds until the ack timeout skip it (at 100k devices the re-checks were a CPU cost of their own)...
        assertThat(session.needsTending(version, t0 + SECOND / 2)).isFalse();
        assertThat(session.needsTending(version, t0 + SECOND - 1)).isFalse();
        // ...and look again once it is due, or when the world changes.
        assertThat(session.needsTending(version, t0 + SECOND)).isTrue();
        world.apply(update("semi", Stage.PREFETCH, 1));
        assertThat(session.needsTending(world.version(), t0 + SECOND / 2)).isTrue();
        session.acked("final", 3);
        upkeep(ch).runAt(t0 + SECOND / 2);   // sends "semi", which the device had not heard of
        assertThat(session.progress("semi").sent()).isEqualTo(1);
        // All acked: nothing pending, nothing to look at until the world changes again.
        session.acked("semi", 1);
        assertThat(session.needsTending(world.version(), t0 + 100 * SECOND)).isFalse();
    }

    @Test
    void aRoundGivesBackItsEncodingsOnceTheDevicesFramesAreWritten() {
        world.apply(update("final", Stage.LIVE, 3));
        world.apply(update("semi", Stage.LIVE, 1));
        EmbeddedChannel ch = greeted("d1");
        session(ch).sending("final", 3, t0);
        SessionUpkeep upkeep = upkeep(ch);
        upkeep.runAt(t0 + SECOND);      // redelivers "final", sends "semi" (never heard of)
        io.netty.buffer.ByteBuf first = ch.readOutbound();
        io.netty.buffer.ByteBuf second = ch.readOutbound();
        assertThat((Object) ch.readOutbound()).isNull();
        // The round released what it encoded: each device's view is the last reference.
        assertThat(Fixtures.memoryOf(first).refCnt()).isEqualTo(1);
        assertThat(Fixtures.memoryOf(second).refCnt()).isEqualTo(1);
        io.netty.buffer.ByteBuf firstMemory = Fixtures.memoryOf(first);
        io.netty.buffer.ByteBuf secondMemory = Fixtures.memoryOf(second);
        first.release();
        second.release();
        assertThat(firstMemory.refCnt()).isZero();
        assertThat(secondMemory.refCnt()).isZero();
    }

    @Test
    void anAckStopsRedelivery() throws Exception {
        world.apply(update("final", Stage.LIVE, 3));
        EmbeddedChannel ch = greeted("d1");
        session(ch).sending("final", 3, t0);
        assertThat(session(ch).acked("final", 3)).isTrue();
        assertThat(session(ch).acked("final", 3)).as("a duplicate ack counts once").isFalse();
        upkeep(ch).runAt(t0 + 10 * SECOND);
        assertThat(updateSeqOut(ch)).isEqualTo(-1);
        assertThat(metrics.count("kickoff_gateway_redeliveries")).isZero();
    }

    @Test
    void onlyTheLatestUpdateOfAnEventIsPending() throws Exception {
        world.apply(update("final", Stage.LIVE, 4));
        EmbeddedChannel ch = greeted("d1");
        session(ch).sending("final", 3, t0);
        // seq 3 was superseded by 4 in the world: the device is behind, 4 is sent, 3 is never resent.
        upkeep(ch).runAt(t0 + 10 * SECOND);
        assertThat(updateSeqOut(ch)).isEqualTo(4);
        assertThat(updateSeqOut(ch)).isEqualTo(-1);
    }

    @Test
    void anUpdateWithheldWhileUnwritableIsSentOnceWritable() throws Exception {
        world.apply(update("final", Stage.LIVE, 1));
        EmbeddedChannel ch = greeted("d1");
        upkeep(ch).runAt(t0 + SECOND / 10);
        assertThat(updateSeqOut(ch)).isEqualTo(1);
        assertThat(session(ch).progress("final").pending()).isTrue();
    }

    @Test
    void aConnectionUnwritablePastTheLimitIsClosedAsSlowConsumer() {
        EmbeddedChannel ch = greeted("d1");
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
        ch.write(Unpooled.wrappedBuffer(new byte[64]));
        assertThat(ch.isWritable()).isFalse();
        session(ch).writability(false, t0);
        upkeep(ch).runAt(t0 + 4 * SECOND);
        assertThat(ch.isOpen()).isTrue();
        upkeep(ch).runAt(t0 + 5 * SECOND);
        assertThat(ch.isOpen()).isFalse();
        assertThat(metrics.count("kickoff_gateway_closes", "reason", "slow_consumer")).isEqualTo(1);
    }

    @Test
    void aSilentConnectionIsClosedAsIdle() {
        EmbeddedChannel ch = greeted("d1");
        upkeep(ch).runAt(t0 + 299 * SECOND);
        assertThat(ch.isOpen()).isTrue();
        upkeep(ch).runAt(t0 + 300 * SECOND);
        assertThat(ch.isOpen()).isFalse();
        assertThat(metrics.count("kickoff_gateway_closes", "reason", "idle")).isEqualTo(1);
    }

    @Test
    void aConnectionPastItsLifetimeIsSentAwayWithAJitteredDelay() throws Exception {
        EmbeddedChannel ch = greeted("d1");
        session(ch).moveAt(t0 + 10 * SECOND);
        session(ch).readAt(t0 + 10 * SECOND);
        upkeep(ch).runAt(t0 + 10 * SECOND);
        ServerFrame goAway = decode(WireFormat.PROTOBUF, ch.readOutbound());
        assertThat(goAway.getGoAway().getReason()).isEqualTo("lifetime");
        assertThat(goAway.getGoAway().getReconnectAfterMs()).isBetween(0, (int) config.goAwayJitter().toMillis());
        CloseWebSocketFrame close = ch.readOutbound();
        assertThat(close.statusCode()).isEqualTo(1001);
        close.release();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void theServerPingsAfterTheHeartbeatInterval() {
        EmbeddedChannel ch = greeted("d1");
        session(ch).readAt(t0 + 100 * SECOND);
        upkeep(ch).runAt(t0 + 99 * SECOND);
        assertThat((Object) ch.readOutbound()).isNull();
        upkeep(ch).runAt(t0 + 100 * SECOND);
        PingWebSocketFrame ping = ch.readOutbound();
        assertThat(ping).isNotNull();
        ping.release();
    }

    @Test
    void redeliveriesNameTheBundleOfTheSegmentAndCountTheDeviceOnce() throws Exception {
        io.kickoff.protocol.v1.Bundle bundle = io.kickoff.protocol.v1.Bundle.newBuilder()
                .setEventId("final").setSegment("us-en").setVersion("v-us").build();
        services.bundles().onBundleRecord(new io.kickoff.bus.BusRecord(io.kickoff.bus.Topic.BUNDLES, "final:us-en",
                bundle.toByteArray(), 0));
        try {
            io.kickoff.protocol.v1.StageUpdate live = update("final", Stage.LIVE, 3);
            world.apply(live);
            EmbeddedChannel ch = greeted("d1");
            session(ch).sending("final", 3, t0);
            services.stats().written(live, "d1");
            SessionUpkeep upkeep = upkeep(ch);
            upkeep.runAt(t0 + SECOND);
            upkeep.runAt(t0 + 3 * SECOND);
            for (int i = 0; i < 2; i++) {
                ServerFrame redelivered = decode(WireFormat.PROTOBUF, ch.readOutbound());
                assertThat(redelivered.getStageUpdate().getSeq()).isEqualTo(3);
                assertThat(redelivered.getStageUpdate().getBundleVersion()).isEqualTo("v-us");
            }
            io.kickoff.protocol.v1.EventDelivery d = services.stats().snapshot().getEvents(0);
            assertThat(d.getTargeted()).isEqualTo(1);
            assertThat(d.getWritten()).isEqualTo(1);
            ch.finishAndReleaseAll();
        } finally {
            services.bundles().close();
        }
    }
}
