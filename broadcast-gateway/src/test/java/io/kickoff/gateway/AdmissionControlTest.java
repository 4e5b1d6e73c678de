package io.kickoff.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AdmissionControlTest {
    final GatewayMetrics metrics = new GatewayMetrics("test-node");
    final AtomicLong nanos = new AtomicLong(-5_000_000_000L); // any origin, even negative, must work
    final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void closeChannels() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    static GatewayConfig.Builder config() {
        return GatewayConfig.builder().maxConnections(1_000).fdReserve(100).maxConnectsPerSecond(0)
                .retryAfter(Duration.ofSeconds(1), Duration.ofSeconds(30));
    }

    AdmissionControl admission(GatewayConfig config) {
        return new AdmissionControl(config, metrics, nanos::get, new SplittableRandom(42)::nextDouble);
    }

    EmbeddedChannel connect(AdmissionControl admission) {
        EmbeddedChannel ch = new EmbeddedChannel(admission);
        channels.add(ch);
        return ch;
    }

    static FullHttpRequest get(String uri) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        request.headers().set(HttpHeaderNames.UPGRADE, "websocket").set(HttpHeaderNames.CONNECTION, "Upgrade");
        return request;
    }

    /** Sends a request; true if it went on down the pipeline (and releases it there). */
    static boolean admitted(EmbeddedChannel ch, FullHttpRequest request) {
        ch.writeInbound(request);
        FullHttpRequest passed = ch.readInbound();
        if (passed == null) {
            return false;
        }
        assertThat(passed).isSameAs(request);
        passed.release();
        return true;
    }

    record Refusal(int status, long retryAfter, String body, boolean closed) {
    }

    /** Sends an upgrade that must be refused; checks the request was released. */
    static Refusal refused(EmbeddedChannel ch, String uri) {
        FullHttpRequest request = get(uri);
        ch.writeInbound(request);
        assertThat(ch.<Object>readInbound()).as("refused request must not pass").isNull();
        assertThat(request.refCnt()).as("refused request must be released").isZero();
        FullHttpResponse response = ch.readOutbound();
        assertThat(response).isNotNull();
        try {
            String retryAfter = response.headers().get(HttpHeaderNames.RETRY_AFTER);
            return new Refusal(response.status().code(), retryAfter == null ? -1 : Long.parseLong(retryAfter),
                    response.content().toString(StandardCharsets.UTF_8), !ch.isOpen());
        } finally {
            response.release();
        }
    }

    @Test
    void admitsUpToTheLimitThenRefusesWith503AndJitteredRetryAfter() {
        AdmissionControl admission = admission(config().maxConnections(3).build());
        for (int i = 0; i < 3; i++) {
            assertThat(admitted(connect(admission), get("/v1/connect"))).isTrue();
        }
        Set<Long> retryAfters = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            Refusal refusal = refused(connect(admission), "/v1/connect?token=x");
            assertThat(refusal.status()).isEqualTo(503);
            assertThat(refusal.retryAfter()).isBetween(1L, 30L);
            assertThat(refusal.body()).contains("full");
            assertThat(refusal.closed()).isTrue();
            retryAfters.add(refusal.retryAfter());
        }
        assertThat(retryAfters).as("Retry-After is jittered").hasSizeGreaterThan(1);
        assertThat(metrics.count("kickoff_gateway_upgrades_refused", "reason", "over_capacity")).isEqualTo(20);
        assertThat(admission.openConnections()).isEqualTo(3); // the refused ones were closed
    }

    @Test
    void retryAfterIsRoundedUpToWholeSecondsAndAtLeastOne() {
        GatewayConfig.Builder base = config();
        assertThat(admission(base.retryAfter(Duration.ofMillis(1_200), Duration.ofMillis(1_200)).build())
                .retryAfterSeconds()).isEqualTo(2);
        assertThat(admission(base.retryAfter(Duration.ZERO, Duration.ZERO).build()).retryAfterSeconds()).isEqualTo(1);
        AdmissionControl ranged = admission(base.retryAfter(Duration.ofMillis(2_001), Duration.ofSeconds(4)).build());
        for (int i = 0; i < 200; i++) {
            assertThat(ranged.retryAfterSeconds()).isBetween(3L, 4L);
        }
    }

    @Test
    void rateLimitRefusesBeyondTheBurstAndRecoversAsTimePasses() {
        AdmissionControl admission = admission(config().maxConnectsPerSecond(5).build());
        for (int i = 0; i < 5; i++) {
            assertThat(admitted(connect(admission), get("/v1/connect"))).as("burst %d", i).isTrue();
        }
        Refusal refusal = refused(connect(admission), "/v1/connect");
        assertThat(refusal.status()).isEqualTo(503);
        assertThat(refusal.retryAfter()).isBetween(1L, 30L);
        assertThat(refusal.closed()).isTrue();

        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(200)); // one token back at 5 per second
        assertThat(admitted(connect(admission), get("/v1/connect"))).isTrue();
        assertThat(refused(connect(admission), "/v1/connect").status()).isEqualTo(503);

        nanos.addAndGet(TimeUnit.SECONDS.toNanos(60)); // a long pause refills only up to the burst
        for (int i = 0; i < 5; i++) {
            assertThat(admitted(connect(admission), get("/v1/connect"))).isTrue();
        }
        assertThat(refused(connect(admission), "/v1/connect").status()).isEqualTo(503);
        assertThat(metrics.count("kickoff_gateway_upgrades_refused", "reason", "over_rate")).isEqualTo(3);
    }

    @Test
    void zeroRateMeansNoRateLimit() {
        AdmissionControl admission = admission(config().maxConnectsPerSecond(0).build());
        for (int i = 0; i < 200; i++) {
            assertThat(admitted(connect(admission), get("/v1/connect"))).isTrue();
        }
    }

    @Test
    void drainingRefusesNewDevices() {
        AdmissionControl admission = admission(config().build());
        EmbeddedChannel device = connect(admission);
        assertThat(admission.draining()).isFalse();
        admission.startDraining();
        assertThat(admission.draining()).isTrue();
        Refusal refusal = refused(device, "/v1/connect");
        assertThat(refusal.status()).isEqualTo(503);
        assertThat(refusal.body()).contains("draining");
        assertThat(refusal.retryAfter()).isBetween(1L, 30L);
        assertThat(metrics.count("kickoff_gateway_upgrades_refused", "reason", "draining")).isEqualTo(1);
    }

    @Test
    void operationalPathsAreNeverRefused() {
        AdmissionControl admission = admission(config().maxConnections(1).maxConnectsPerSecond(1).build());
        EmbeddedChannel first = connect(admission);
        assertThat(admitted(first, get("/v1/connect"))).isTrue(); // spends the only rate token
        List<EmbeddedChannel> crowd = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            crowd.add(connect(admission)); // over capacity now
        }
        admission.startDraining();
        for (EmbeddedChannel ch : crowd) {
            for (String path : List.of("/healthz", "/readyz", "/metrics", "/ops/drain", "/nope", "/v1/connect/extra")) {
                assertThat(admitted(ch, get(path))).as(path).isTrue();
            }
            assertThat(ch.isOpen()).isTrue();
            assertThat(ch.<Object>readOutbound()).isNull();
        }
    }

    @Test
    void otherMessagesPassUntouched() {
        AdmissionControl admission = admission(config().maxConnections(1).build());
        connect(admission);
        EmbeddedChannel ch = connect(admission);
        admission.startDraining();
        ByteBuf bytes = Unpooled.copiedBuffer("frame", StandardCharsets.UTF_8);
        ch.writeInbound(bytes);
        ByteBuf passed = ch.readInbound();
        assertThat(passed).isSameAs(bytes);
        passed.release();
    }

    @Test
    void hardCeilingClosesAtOnceWithoutAResponse() {
        // max 2, reserve 4: sockets beyond 2 + 4/2 = 4 are closed unread
        AdmissionControl admission = admission(config().maxConnections(2).fdReserve(4).build());
        for (int i = 0; i < 4; i++) {
            assertThat(connect(admission).isOpen()).isTrue();
        }
        EmbeddedChannel fifth = connect(admission);
        assertThat(fifth.isOpen()).isFalse();
        assertThat(fifth.<Object>readOutbound()).isNull();
        assertThat(admission.openConnections()).isEqualTo(4);
        assertThat(metrics.count("kickoff_gateway_upgrades_refused", "reason", "fd_ceiling")).isEqualTo(1);
    }

    @Test
    void deviceSlotsAreTakenByAdmittedUpgradesAndGivenBackOnClose() {
        AdmissionControl admission = admission(config().maxConnections(2).build());
        EmbeddedChannel a = connect(admission);
        EmbeddedChannel b = connect(admission);
        assertThat(admitted(a, get("/v1/connect"))).isTrue();
        assertThat(admitted(b, get("/v1/connect"))).isTrue();
        assertThat(admission.openConnections()).isEqualTo(2);
        assertThat(admission.devicesAdmitted()).isEqualTo(2);
        EmbeddedChannel c = connect(admission);
        assertThat(refused(c, "/v1/connect").status()).isEqualTo(503);
        assertThat(admission.openConnections()).isEqualTo(2);
        assertThat(admission.devicesAdmitted()).isEqualTo(2);
        a.close();
        assertThat(admission.openConnections()).isEqualTo(1);
        assertThat(admission.devicesAdmitted()).isEqualTo(1);
        EmbeddedChannel d = connect(admission);
        assertThat(admitted(d, get("/v1/connect"))).isTrue(); // room again
        b.close();
        d.close();
        assertThat(admission.openConnections()).isZero();
        assertThat(admission.devicesAdmitted()).isZero();
    }

    @Test
    void connectionsThatHaveNotUpgradedHoldNoDeviceSlot() {
        // 20 sockets that never send an upgrade, on a node capped at 2 devices: devices still get in.
        AdmissionControl admission = admission(config().maxConnections(2).fdReserve(100).build());
        for (int i = 0; i < 20; i++) {
            connect(admission);
        }
        assertThat(admitted(connect(admission), get("/v1/connect"))).isTrue();
        assertThat(admitted(connect(admission), get("/v1/connect"))).isTrue();
        assertThat(refused(connect(admission), "/v1/connect").status()).isEqualTo(503);
        assertThat(admission.openConnections()).isEqualTo(22);
        assertThat(admission.devicesAdmitted()).isEqualTo(2);
    }

    @Test
    void aRefusalOverTheRateGivesItsSlotBack() {
        AdmissionControl admission = admission(config().maxConnections(5).maxConnectsPerSecond(1).build());
        assertThat(admitted(connect(admission), get("/v1/connect"))).isTrue();
        for (int i = 0; i < 10; i++) {
            assertThat(refused(connect(admission), "/v1/connect").status()).isEqualTo(503);
        }
        assertThat(admission.devicesAdmitted()).isEqualTo(1);
    }

    @Test
    void gaugesAreExposed() {
        AdmissionControl admission = admission(config().maxConnections(7).build());
        connect(admission);
        String scrape = metrics.scrape();
        assertThat(scrape).containsPattern("kickoff_gateway_open_connections\\{[^}]*} 1(\\.0)?\\n");
        assertThat(scrape).containsPattern("kickoff_gateway_max_connections\\{[^}]*} 7(\\.0)?\\n");
        assertThat(scrape).containsPattern("kickoff_gateway_device_slots\\{[^}]*} 0(\\.0)?\\n");
    }

    @Test
    void maxConnectionsIsConfiguredOrDerivedFromTheOpenFilesLimit() {
        assertThat(admission(config().maxConnections(123).build()).maxConnections()).isEqualTo(123);
        int derived = admission(config().maxConnections(0).fdReserve(10).build()).maxConnections();
        assertThat(derived).isEqualTo(AdmissionControl.deriveMaxConnections(AdmissionControl.maxFileDescriptors(), 10));
        assertThat(derived).isPositive();
    }

    @Test
    void deriveMaxConnectionsMath() {
        assertThat(AdmissionControl.deriveMaxConnections(20_000, 512)).isEqualTo(19_488);
        assertThat(AdmissionControl.deriveMaxConnections(20_000, 0)).isEqualTo(20_000);
        assertThat(AdmissionControl.deriveMaxConnections(512, 512)).isEqualTo(1);
        assertThat(AdmissionControl.deriveMaxConnections(100, 512)).isEqualTo(1);
        assertThat(AdmissionControl.deriveMaxConnections(Long.MAX_VALUE, 512)).isEqualTo(Integer.MAX_VALUE);
        assertThat(AdmissionControl.maxFileDescriptors()).isPositive();
    }
}
