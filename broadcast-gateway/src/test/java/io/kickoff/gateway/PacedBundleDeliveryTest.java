package io.kickoff.gateway;

import static io.kickoff.gateway.BundleDeliveryTest.bundle;
import static io.kickoff.gateway.BundleDeliveryTest.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kickoff.protocol.WireFormat;
import io.kickoff.protocol.token.DeviceClaims;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Pacing needs many devices on one event loop: server-side LocalChannels on one real loop, whose
 * writes are captured in the pipeline (on the loop, so counts are exact once a loop task synced).
 * Ticks are fired by the test, never by the clock.
 */
class PacedBundleDeliveryTest {
    final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
    final EventLoop loop = group.next();
    final SessionRegistry registry = new SessionRegistry();
    final GatewayMetrics metrics = new GatewayMetrics("test");
    final ManualTicker ticker = new ManualTicker();
    // 1 s window in 100 ms ticks: 10 slices; 25 devices go 3 per slice.
    final BundleDelivery delivery = new BundleDelivery(
            GatewayConfig.builder().bundlePushWindow(Duration.ofSeconds(1)).build(), registry, metrics,
            Fixtures.CLOCK, Duration.ofMillis(100), ticker);
    final ConcurrentLinkedQueue<ByteBuf> written = new ConcurrentLinkedQueue<>();
    final List<DeviceSession> sessions = new CopyOnWriteArrayList<>();
    final List<Channel> clients = new ArrayList<>();
    final LocalAddress address = new LocalAddress("bundles-" + UUID.randomUUID());
    Channel server;

    void connect(int devices, boolean register) {
        if (server == null) {
            server = new ServerBootstrap().group(group).channel(LocalServerChannel.class)
                    .childHandler(new ChannelInitializer<LocalChannel>() {
                        @Override
                        protected void initChannel(LocalChannel ch) {
                            ch.pipeline().addLast(new ChannelOutboundHandlerAdapter() {
                                @Override
                                public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                                    written.add((ByteBuf) msg); // captured; the test releases it
                                }
                            });
                            DeviceSession session = new DeviceSession(ch, new DeviceClaims("d" + sessions.size(),
                                    "us-en", Fixtures.NOW.plusSeconds(3600)), WireFormat.PROTOBUF);
                            if (register) {
                                registry.add(session);
                            }
                            sessions.add(session);
                        }
                    }).bind(address).syncUninterruptibly().channel();
        }
        int expected = sessions.size() + devices;
        Bootstrap client = new Bootstrap().group(group).channel(LocalChannel.class)
                .handler(new ChannelInitializer<LocalChannel>() {
                    @Override
                    protected void initChannel(LocalChannel ch) {
                        // nothing: the test reads what the server side wrote, not what arrived
                    }
                });
        for (int i = 0; i < devices; i++) {
            clients.add(client.connect(address).syncUninterruptibly().channel());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> sessions.size() == expected);
    }

    /** Runs on the loop and waits: every task queued before it has run too. */
    void onLoop(Runnable task) {
        loop.submit(task).syncUninterruptibly();
    }

    List<String> versionsWritten() throws Exception {
        List<String> versions = new ArrayList<>();
        for (ByteBuf f = written.poll(); f != null; f = written.poll()) {
            versions.add(Fixtures.decode(WireFormat.PROTOBUF, f).getBundle().getVersion());
        }
        return versions;
    }

    @AfterEach
    void stop() {
        clients.forEach(Channel::close);
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        written.forEach(ByteBuf::release);
        delivery.close();
    }

    @Test
    void aPushIsSpreadOverTheWindowInSlices() throws Exception {
        connect(25, true);
        delivery.onBundleRecord(record(bundle("final", "us-en", "v1")));
        onLoop(() -> { });

        // The first slice only, not all 25 at once.
        assertThat(written).hasSize(3);
        assertThat(ticker.active()).isEqualTo(1);
        ByteBuf shared = Fixtures.memoryOf(written.peek());

        List<Integer> perTick = new ArrayList<>();
        int before = written.size();
        while (ticker.active() > 0 && perTick.size() < 20) {
            ticker.tick();
            perTick.add(written.size() - before);
            before = written.size();
        }
        assertThat(perTick).hasSize(8).allSatisfy(n -> assertThat(n).isBetween(1, 3));
        assertThat(written).hasSize(25);
        // One encoding shared by every device, each device once.
        assertThat(written).allSatisfy(f -> assertThat(Fixtures.memoryOf(f)).isSameAs(shared));
        assertThat(delivery.written()).isEqualTo(25);
        assertThat(metrics.count("kickoff_gateway_bundle_writes")).isEqualTo(25);
        assertThat(delivery.pushesUnderWay(loop)).isZero();

        assertThat(versionsWritten()).hasSize(25).containsOnly("v1");
        // The finished push gave its references back: only the held bundle remains.
        assertThat(shared.refCnt()).isEqualTo(1);
    }

    @Test
    void aBundleAskingForPartOfTheWindowIsPushedInThatPartOfTheSlicesBesideAWholeWindowPush() throws Exception {
        connect(25, true);
        // A segment with a small expected audience: 300 permille of the 10 slices = 3 slices of 9 devices.
        delivery.onBundleRecord(record(bundle("final", "us-en", "small").toBuilder().setPushWindowPermille(300).build()));
        // Another event's bundle without the field: the whole window, 3 devices a slice, at the same time.
        delivery.onBundleRecord(record(bundle("semi", "us-en", "whole")));
        onLoop(() -> { });
        List<String> first = versionsWritten();
        assertThat(first.stream().filter("small"::equals)).hasSize(9);
        assertThat(first.stream().filter("whole"::equals)).hasSize(3);

        List<String> later = new ArrayList<>();
        for (int tick = 0; tick < 2; tick++) {
            ticker.tick();
            later.addAll(versionsWritten());
        }
        // The short push is done after its third slice; the whole-window one is still under way.
        assertThat(later.stream().filter("small"::equals)).hasSize(16);
        assertThat(later.stream().filter("whole"::equals)).hasSize(6);
        assertThat(delivery.pushesUnderWay(loop)).isEqualTo(1);
        while (ticker.active() > 0) {
            ticker.tick();
        }
        assertThat(delivery.written()).isEqualTo(50);
    }

    @Test
    void devicesGetTheBundleWithoutThePushWindow() throws Exception {
        connect(1, true);
        delivery.onBundleRecord(record(bundle("final", "us-en", "v1").toBuilder().setPushWindowPermille(250).build()));
        onLoop(() -> { });
        io.kickoff.protocol.v1.Bundle sent = Fixtures.decode(WireFormat.PROTOBUF, written.poll()).getBundle(); // releases it
        assertThat(sent.getVersion()).isEqualTo("v1");
        assertThat(sent.getPushWindowPermille()).isZero();
        assertThat(delivery.bundle("final", "us-en")).contains(bundle("final", "us-en", "v1"));
    }

    @Test
    void aNewerVersionSupersedesAPushUnderWay() throws Exception {
        connect(25, true);
        delivery.onBundleRecord(record(bundle("final", "us-en", "v1")));
        onLoop(() -> { });
        ByteBuf v1 = Fixtures.memoryOf(written.peek());
        delivery.onBundleRecord(record(bundle("final", "us-en", "v2")));
        onLoop(() -> { });
        assertThat(ticker.active()).isEqualTo(1);
        while (ticker.active() > 0) {
            ticker.tick();
        }
        List<String> versions = versionsWritten();
        assertThat(versions.stream().filter("v1"::equals)).hasSize(3);
        assertThat(versions.stream().filter("v2"::equals)).hasSize(25);
        // v1 is neither held nor pushed any more, and every copy was released.
        assertThat(v1.refCnt()).isZero();
    }

    @Test
    void aDeviceWelcomedDuringAPushIsNotSentTheBundleAgain() throws Exception {
        connect(25, true);
        delivery.onBundleRecord(record(bundle("final", "us-en", "v1")));
        onLoop(() -> { });
        assertThat(written).hasSize(3);
        // The last device reconnected meanwhile (same session object here): welcome sends it v1.
        DeviceSession last = sessions.get(24);
        onLoop(() -> delivery.welcomed(last, Map.of()));
        assertThat(written).hasSize(4);
        while (ticker.active() > 0) {
            ticker.tick();
        }
        assertThat(written).hasSize(25);
        assertThat(versionsWritten()).containsOnly("v1");
    }

    @Test
    void anEndedEventStopsItsPush() throws Exception {
        connect(25, true);
        delivery.onBundleRecord(record(bundle("final", "us-en", "v1")));
        onLoop(() -> { });
        ByteBuf shared = Fixtures.memoryOf(written.peek());
        delivery.stageChanged(Fixtures.update("final", io.kickoff.protocol.v1.Stage.ENDED, 5));
        onLoop(() -> { });
        assertThat(ticker.active()).isZero();
        assertThat(delivery.pushesUnderWay(loop)).isZero();
        assertThat(written).hasSize(3);
        written.forEach(ByteBuf::release);
        written.clear();
        assertThat(shared.refCnt()).isZero();
    }

    @Test
    void departedDevicesAreForgotten() {
        delivery.onBundleRecord(record(bundle("final", "us-en", "v1")));
        connect(64, false);
        onLoop(() -> sessions.forEach(s -> delivery.welcomed(s, Map.of())));
        assertThat(written).hasSize(64);
        assertThat(delivery.trackedDevices(loop)).isEqualTo(64);

        clients.forEach(Channel::close);
        await().atMost(Duration.ofSeconds(10)).until(() -> sessions.stream().noneMatch(s -> s.channel().isActive()));
        connect(1, false);
        DeviceSession newcomer = sessions.get(64);
        onLoop(() -> delivery.welcomed(newcomer, Map.of()));
        assertThat(delivery.trackedDevices(loop)).isEqualTo(1);
        Set<Object> buffers = written.stream().map(Fixtures::memoryOf).collect(Collectors.toSet());
        assertThat(buffers).hasSize(1);
    }
}
