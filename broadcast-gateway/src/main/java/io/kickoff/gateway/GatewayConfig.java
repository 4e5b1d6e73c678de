package io.kickoff.gateway;

import io.kickoff.http.TlsFiles;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of one gateway node. Immutable; build with {@link #builder()}, where every field has
 * a production default.
 *
 * @param host                  address to listen on
 * @param port                  port to listen on (0: any free port)
 * @param nodeId                this node's name in welcome frames, logs, metrics and statistics
 * @param ioThreads             event loop threads (0: one per core, see {@link #eventLoops()})
 * @param helloTimeout          a device that has not sent hello by then is closed (1008)
 * @param heartbeatInterval     the server sends a WebSocket ping every interval; devices should ping as often; told in welcome
 * @param idleTimeout           a device the server has read nothing from for this long is closed (4002)
 * @param maxFrameBytes         largest inbound WebSocket frame payload (larger: 1009)
 * @param inboundPerSecond      sustained inbound frames per second per connection (beyond the burst: 1008)
 * @param inboundBurst          inbound frames a connection may send at once
 * @param reconnectBase         base of the devices' exponential reconnect backoff, told in welcome
 * @param reconnectMax          cap of that backoff
 * @param ackTimeout            an un-acked update is sent again after this, doubling each time
 * @param maxRedeliveries       how many times an un-acked update is sent again while connected
 * @param writeBufferLow        outbound bytes below which a connection is writable again
 * @param writeBufferHigh       outbound bytes above which a connection is unwritable (writes are withheld)
 * @param slowConsumerTimeout   a connection unwritable for this long is closed (4001)
 * @param maxLifetime           connections are asked to move (go-away) after this ...
 * @param lifetimeDither        ... minus a random dither up to this, so they do not all move at once
 * @param goAwayJitter          reconnect delays in go-away frames are random in [0, this)
 * @param drainWindow           on drain, each device is served until its own moment to leave, spread evenly over this window
 * @param maxConnections        most device connections at once, counted from an admitted upgrade on (0: derived from the open-files limit)
 * @param fdReserve             file descriptors kept free for health checks, metrics, the bus and handshakes
 * @param maxConnectsPerSecond  most new device connections accepted per second (0: no limit)
 * @param retryAfterMin         smallest Retry-After of a 503 or 429
 * @param retryAfterMax         largest Retry-After of a 503 or 429 (each answer gets a random value between)
 * @param bundlePushWindow      a new bundle reaches all its devices spread over this window
 * @param deliveryReportInterval how often delivery statistics and presence go on the bus
 * @param opsToken              bearer token of the gateway's operations endpoints (drain); empty: disabled
 * @param upgradeTimeout        a connection that has not completed its upgrade (or, on an operations
 *                              connection, its next request) within this is answered 408 and closed
 * @param authFailuresPerSecond sustained failed authentications per second per source address ...
 * @param authFailureBurst      ... and at once; beyond them a failed upgrade is answered 429, not 401
 * @param authFailureSources    source addresses whose failures are remembered (least recently seen are forgotten)
 * @param warmUp                loopback traffic run before the node says it is ready ({@link WarmUp#OFF}: none)
 * @param tls                   certificate and key of {@code wss://} (and {@code https://} for the health and
 *                              operations endpoints), reloaded when the files change; empty: plain {@code ws://}
 * @param viewing               how devices' viewing signals are asked for, queued and published ({@link ViewingSignals})
 */
public record GatewayConfig(String host, int port, String nodeId, int ioThreads, Duration helloTimeout,
                            Duration heartbeatInterval, Duration idleTimeout, int maxFrameBytes,
                            int inboundPerSecond, int inboundBurst, Duration reconnectBase, Duration reconnectMax,
                            Duration ackTimeout, int maxRedeliveries, int writeBufferLow, int writeBufferHigh,
                            Duration slowConsumerTimeout, Duration maxLifetime, Duration lifetimeDither,
                            Duration goAwayJitter, Duration drainWindow, int maxConnections, int fdReserve,
                            int maxConnectsPerSecond, Duration retryAfterMin, Duration retryAfterMax,
                            Duration bundlePushWindow, Duration deliveryReportInterval, Optional<String> opsToken,
                            Duration upgradeTimeout, int authFailuresPerSecond, int authFailureBurst,
                            int authFailureSources, WarmUp warmUp, Optional<TlsFiles> tls,
                            ViewingSignals viewing) {

    /**
     * Viewing signals: devices that send them repeat one every {@code heartbeatInterval} while they play (told in
     * welcome); the node queues them, at most {@code maxQueued} (beyond that the oldest heartbeats are dropped
     * first), and publishes what is queued on {@code kickoff.viewing} every {@code flushInterval}, or as soon as
     * {@code batchSize} are queued, one batch at a time.
     */
    public record ViewingSignals(Duration heartbeatInterval, Duration flushInterval, int batchSize, int maxQueued) {
        public static final ViewingSignals DEFAULT =
                new ViewingSignals(Duration.ofSeconds(10), Duration.ofMillis(250), 1_000, 100_000);

        public ViewingSignals {
            Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
            Objects.requireNonNull(flushInterval, "flushInterval");
            if (heartbeatInterval.toMillis() <= 0 || flushInterval.toMillis() <= 0) {
                throw new IllegalArgumentException("viewing heartbeat and flush intervals must be at least 1 ms");
            }
            if (batchSize <= 0 || maxQueued < batchSize) {
                throw new IllegalArgumentException("need 0 < viewing batchSize <= maxQueued, got " + batchSize + " and " + maxQueued);
            }
        }
    }

    /**
     * Before a node says it is ready, a throwaway node in the same process serves {@code devices}
     * loopback devices broadcasts, acks and pings until the JIT has compiled what that traffic needs
     * (it has compiled nothing for a second while the broadcasts go on), or for at most
     * {@code budget}, so that the first real broadcast runs compiled code. {@link #OFF}: none.
     */
    public record WarmUp(int devices, Duration budget) {
        public static final WarmUp OFF = new WarmUp(0, Duration.ZERO);
        public static final WarmUp DEFAULT = new WarmUp(256, Duration.ofSeconds(30));
        /** Each warm-up device holds two open files (its end and the node's) while the warm-up runs. */
        public static final int MAX_DEVICES = 5_000;

        public WarmUp {
            Objects.requireNonNull(budget, "budget");
            if (devices < 0 || budget.isNegative() || (devices == 0) != budget.isZero()) {
                throw new IllegalArgumentException("warm-up devices and budget must both be positive, or both 0 (off)");
            }
            if (devices > MAX_DEVICES) {
                throw new IllegalArgumentException("at most " + MAX_DEVICES + " warm-up devices, got " + devices);
            }
        }

        public boolean isOff() {
            return devices == 0;
        }
    }

    public GatewayConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(opsToken, "opsToken");
        Objects.requireNonNull(warmUp, "warmUp");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(viewing, "viewing");
        require(port >= 0 && port <= 65535, "port must be 0..65535, got " + port);
        require(!nodeId.isBlank(), "nodeId must not be blank");
        require(ioThreads >= 0, "ioThreads must not be negative");
        require(maxFrameBytes >= 64, "maxFrameBytes must be at least 64");
        require(inboundPerSecond > 0 && inboundBurst > 0, "inbound rate limit must be positive");
        require(maxRedeliveries >= 0, "maxRedeliveries must not be negative");
        require(writeBufferLow > 0 && writeBufferHigh > writeBufferLow, "need 0 < writeBufferLow < writeBufferHigh");
        require(maxConnections >= 0, "maxConnections must not be negative (0: derive from the open-files limit)");
        require(fdReserve >= 0, "fdReserve must not be negative");
        require(maxConnectsPerSecond >= 0, "maxConnectsPerSecond must not be negative (0: no limit)");
        require(!retryAfterMax.minus(retryAfterMin).isNegative(), "retryAfterMax must not be below retryAfterMin");
        require(authFailuresPerSecond > 0 && authFailureBurst > 0 && authFailureSources > 0,
                "the failed-authentication budget (rate, burst, sources) must be positive");
        for (Duration d : new Duration[] {helloTimeout, heartbeatInterval, idleTimeout, reconnectBase, reconnectMax,
                ackTimeout, slowConsumerTimeout, maxLifetime, lifetimeDither, goAwayJitter, drainWindow,
                retryAfterMin, retryAfterMax, bundlePushWindow, deliveryReportInterval, upgradeTimeout}) {
            Objects.requireNonNull(d, "durations must be set");
            require(!d.isNegative(), "durations must not be negative");
        }
        require(!heartbeatInterval.isZero() && !idleTimeout.isZero() && !ackTimeout.isZero()
                && !deliveryReportInterval.isZero() && !upgradeTimeout.isZero(),
                "heartbeat, idle, ack, report intervals and the upgrade timeout must be positive");
        require(lifetimeDither.compareTo(maxLifetime) < 0, "lifetimeDither must be shorter than maxLifetime");
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    /**
     * Event loops to run: {@code ioThreads}, or one per available core if 0. Not Netty's two per core:
     * a fan-out keeps every loop busy at once, so loops beyond the cores only add context switches.
     */
    public int eventLoops() {
        return ioThreads > 0 ? ioThreads : Runtime.getRuntime().availableProcessors();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.host = host; b.port = port; b.nodeId = nodeId; b.ioThreads = ioThreads; b.helloTimeout = helloTimeout;
        b.heartbeatInterval = heartbeatInterval; b.idleTimeout = idleTimeout; b.maxFrameBytes = maxFrameBytes;
        b.inboundPerSecond = inboundPerSecond; b.inboundBurst = inboundBurst; b.reconnectBase = reconnectBase;
        b.reconnectMax = reconnectMax; b.ackTimeout = ackTimeout; b.maxRedeliveries = maxRedeliveries;
        b.writeBufferLow = writeBufferLow; b.writeBufferHigh = writeBufferHigh;
        b.slowConsumerTimeout = slowConsumerTimeout; b.maxLifetime = maxLifetime; b.lifetimeDither = lifetimeDither;
        b.goAwayJitter = goAwayJitter; b.drainWindow = drainWindow; b.maxConnections = maxConnections;
        b.fdReserve = fdReserve; b.maxConnectsPerSecond = maxConnectsPerSecond; b.retryAfterMin = retryAfterMin;
        b.retryAfterMax = retryAfterMax; b.bundlePushWindow = bundlePushWindow;
        b.deliveryReportInterval = deliveryReportInterval; b.opsToken = opsToken.orElse(null);
        b.upgradeTimeout = upgradeTimeout; b.authFailuresPerSecond = authFailuresPerSecond;
        b.authFailureBurst = authFailureBurst; b.authFailureSources = authFailureSources; b.warmUp = warmUp;
        b.tls = tls.orElse(null);
        b.viewing = viewing;
        return b;
    }

    /** Builder with production defaults. */
    public static final class Builder {
        private String host = "0.0.0.0";
        private int port = 8080;
        private String nodeId = "gateway-1";
        private int ioThreads = 0;
        private Duration helloTimeout = Duration.ofSeconds(8);
        private Duration heartbeatInterval = Duration.ofSeconds(25);
        private Duration idleTimeout = Duration.ofSeconds(90);
        private int maxFrameBytes = 8 * 1024;
        private int inboundPerSecond = 20;
        private int inboundBurst = 50;
        private Duration reconnectBase = Duration.ofMillis(500);
        private Duration reconnectMax = Duration.ofSeconds(30);
        // Generous on purpose: TCP already delivers while connected; an early redelivery under load only adds load.
        private Duration ackTimeout = Duration.ofSeconds(10);
        private int maxRedeliveries = 4;
        private int writeBufferLow = 32 * 1024;
        private int writeBufferHigh = 64 * 1024;
        private Duration slowConsumerTimeout = Duration.ofSeconds(15);
        private Duration maxLifetime = Duration.ofMinutes(30);
        private Duration lifetimeDither = Duration.ofMinutes(3);
        private Duration goAwayJitter = Duration.ofSeconds(10);
        private Duration drainWindow = Duration.ofSeconds(30);
        private int maxConnections = 0;
        private int fdReserve = 512;
        private int maxConnectsPerSecond = 5_000;
        private Duration retryAfterMin = Duration.ofSeconds(1);
        private Duration retryAfterMax = Duration.ofSeconds(10);
        private Duration bundlePushWindow = Duration.ofSeconds(10);
        private Duration deliveryReportInterval = Duration.ofSeconds(1);
        private String opsToken;
        private Duration upgradeTimeout = Duration.ofSeconds(5);
        // Far below what a device needs (one upgrade per reconnect), far above a typo'd token retried with backoff.
        private int authFailuresPerSecond = 2;
        private int authFailureBurst = 10;
        private int authFailureSources = 10_000;
        private WarmUp warmUp = WarmUp.DEFAULT;
        private TlsFiles tls;
        private ViewingSignals viewing = ViewingSignals.DEFAULT;

        public Builder host(String v) { host = v; return this; }
        public Builder port(int v) { port = v; return this; }
        public Builder nodeId(String v) { nodeId = v; return this; }
        public Builder ioThreads(int v) { ioThreads = v; return this; }
        public Builder helloTimeout(Duration v) { helloTimeout = v; return this; }
        public Builder heartbeatInterval(Duration v) { heartbeatInterval = v; return this; }
        public Builder idleTimeout(Duration v) { idleTimeout = v; return this; }
        public Builder maxFrameBytes(int v) { maxFrameBytes = v; return this; }
        public Builder inboundRate(int perSecond, int burst) { inboundPerSecond = perSecond; inboundBurst = burst; return this; }
        public Builder reconnect(Duration base, Duration max) { reconnectBase = base; reconnectMax = max; return this; }
        public Builder ackTimeout(Duration v) { ackTimeout = v; return this; }
        public Builder maxRedeliveries(int v) { maxRedeliveries = v; return this; }
        public Builder writeBuffer(int low, int high) { writeBufferLow = low; writeBufferHigh = high; return this; }
        public Builder slowConsumerTimeout(Duration v) { slowConsumerTimeout = v; return this; }
        public Builder lifetime(Duration max, Duration dither) { maxLifetime = max; lifetimeDither = dither; return this; }
        public Builder goAwayJitter(Duration v) { goAwayJitter = v; return this; }
        public Builder drainWindow(Duration v) { drainWindow = v; return this; }
        public Builder maxConnections(int v) { maxConnections = v; return this; }
        public Builder fdReserve(int v) { fdReserve = v; return this; }
        public Builder maxConnectsPerSecond(int v) { maxConnectsPerSecond = v; return this; }
        public Builder retryAfter(Duration min, Duration max) { retryAfterMin = min; retryAfterMax = max; return this; }
        public Builder bundlePushWindow(Duration v) { bundlePushWindow = v; return this; }
        public Builder deliveryReportInterval(Duration v) { deliveryReportInterval = v; return this; }
        public Builder opsToken(String v) { opsToken = v == null || v.isBlank() ? null : v; return this; }
        public Builder upgradeTimeout(Duration v) { upgradeTimeout = v; return this; }
        public Builder authFailures(int perSecond, int burst) { authFailuresPerSecond = perSecond; authFailureBurst = burst; return this; }
        public Builder authFailureSources(int v) { authFailureSources = v; return this; }
        public Builder warmUp(WarmUp v) { warmUp = v; return this; }
        /** {@code wss://} with these files; null: plain {@code ws://}. */
        public Builder tls(TlsFiles v) { tls = v; return this; }
        public Builder viewing(ViewingSignals v) { viewing = v; return this; }

        public GatewayConfig build() {
            return new GatewayConfig(host, port, nodeId, ioThreads, helloTimeout, heartbeatInterval, idleTimeout,
                    maxFrameBytes, inboundPerSecond, inboundBurst, reconnectBase, reconnectMax, ackTimeout,
                    maxRedeliveries, writeBufferLow, writeBufferHigh, slowConsumerTimeout, maxLifetime, lifetimeDither,
                    goAwayJitter, drainWindow, maxConnections, fdReserve, maxConnectsPerSecond, retryAfterMin,
                    retryAfterMax, bundlePushWindow, deliveryReportInterval, Optional.ofNullable(opsToken),
                    upgradeTimeout, authFailuresPerSecond, authFailureBurst, authFailureSources, warmUp,
                    Optional.ofNullable(tls), viewing);
        }
    }
}
