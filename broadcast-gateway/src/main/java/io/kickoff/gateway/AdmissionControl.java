package io.kickoff.gateway;

import io.kickoff.http.RetryAfter;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Herd control at the door: keeps a node from taking more devices, or taking them faster, than
 * it can hold, and tells the refused ones to come back after a jittered delay so they do not
 * return all at the same second.
 *
 * <p>Only upgrade requests for {@link HttpEndpoints#WEBSOCKET_PATH} are refused (HTTP 503 with
 * {@code Retry-After}); health, readiness and metrics requests always pass, since an operator
 * most needs them when the node is full. It sits after token verification (which is cheap, and
 * whose failures have a budget of their own, {@link AuthFailureBudget}), so only authenticated
 * devices take a device slot or spend the new-connections-per-second budget: neither a flood of
 * bad tokens nor sockets that never finish an upgrade can lock devices out.
 *
 * <p>A device slot is taken when an upgrade is admitted and given back when that connection
 * closes. Every TCP connection, upgraded or not, still holds a file descriptor: past the hard
 * ceiling (the cap plus half the descriptor reserve) new sockets are closed unread, and sockets
 * that do not finish their upgrade in time are closed by {@link UpgradeDeadline}.
 *
 * <p>One instance is shared by every pipeline of the node and must be added in
 * {@code initChannel} (before the channel becomes active): it counts connections from
 * {@code channelActive} to the channel's close. It belongs right before the WebSocket handshake, and may
 * leave the pipeline once the handshake is done.
 */
@ChannelHandler.Sharable
final class AdmissionControl extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(AdmissionControl.class);

    /** Used when the JVM cannot tell the open-files limit (not a Unix JVM). */
    static final long FALLBACK_MAX_FILE_DESCRIPTORS = 10_000;

    private final GatewayMetrics metrics;
    private final RetryAfter retryAfter;
    private final int maxConnections;
    private final long hardCeiling;
    private final TokenBucket connectRate;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger slots = new AtomicInteger();
    private volatile boolean draining;
    // Counted on the channel's close, not in channelInactive: a device connection's pipeline drops this
    // handler after the handshake, and the count and the slot must still be given back, exactly once,
    // when the connection closes. Shared by every connection: a promise holds one listener without
    // allocating, and which of the two a connection has says whether it holds a device slot.
    private final ChannelFutureListener closed = future -> open.decrementAndGet();
    private final ChannelFutureListener closedHoldingSlot = future -> {
        open.decrementAndGet();
        slots.decrementAndGet();
    };

    public AdmissionControl(GatewayConfig config, GatewayMetrics metrics) {
        this(config, metrics, System::nanoTime, null);
    }

    /**
     * @param nanoTime monotonic clock of the new-connection rate limit
     * @param uniform  source of the Retry-After jitter, values in [0, 1); {@code null}: a per-thread random
     */
    AdmissionControl(GatewayConfig config, GatewayMetrics metrics, LongSupplier nanoTime, DoubleSupplier uniform) {
        this.metrics = metrics;
        this.retryAfter = uniform == null
                ? RetryAfter.between(config.retryAfterMin(), config.retryAfterMax())
                : new RetryAfter(config.retryAfterMin(), config.retryAfterMax(), uniform);
        this.maxConnections = config.maxConnections() > 0
                ? config.maxConnections()
                : deriveMaxConnections(maxFileDescriptors(), config.fdReserve());
        this.hardCeiling = (long) maxConnections + config.fdReserve() / 2;
        this.connectRate = config.maxConnectsPerSecond() > 0
                ? new TokenBucket(config.maxConnectsPerSecond(), config.maxConnectsPerSecond(), nanoTime)
                : null;
        metrics.gauge("kickoff_gateway_open_connections", "TCP connections open on this node (devices, handshakes, ops)",
                open::get);
        metrics.gauge("kickoff_gateway_device_slots", "admitted upgrades still open (what max_connections caps)",
                slots::get);
        metrics.gauge("kickoff_gateway_max_connections", "device connections this node admits", () -> maxConnections);
        log.info("admission: at most {} connections (hard ceiling {}), {} new connections per second",
                maxConnections, hardCeiling, connectRate == null ? "unlimited" : config.maxConnectsPerSecond());
    }

    /**
     * How many connections a node may admit when it is not told: its open-files limit minus a
     * reserve. Every socket is a file descriptor, and the process needs descriptors the devices
     * must never take: its own jars and log files, epoll and event descriptors of the event loops,
     * the bus and Redis connections, health checks and metrics scrapes. Sockets are also accepted
     * before they can be refused, so connections above the limit hold a descriptor until their 503
     * is written: the reserve must be larger than the number of handshakes (admitted or about to be
     * refused) in flight at once, or the process hits {@code EMFILE} and cannot even answer its
     * health check. Half the reserve is that margin (see the hard ceiling); the other half is for
     * the process itself.
     *
     * @return {@code maxFileDescriptors - reserve}, at least 1 and at most {@link Integer#MAX_VALUE}
     */
    static int deriveMaxConnections(long maxFileDescriptors, int reserve) {
        long derived = maxFileDescriptors - Math.max(0, reserve);
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, derived));
    }

    /** The process's open-files limit, or {@link #FALLBACK_MAX_FILE_DESCRIPTORS} if the JVM cannot tell. */
    static long maxFileDescriptors() {
        try {
            OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
            if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
                long max = unix.getMaxFileDescriptorCount();
                if (max > 0) {
                    return max;
                }
            }
        } catch (RuntimeException | LinkageError e) {
            log.debug("cannot read the open-files limit: {}", e.toString());
        }
        return FALLBACK_MAX_FILE_DESCRIPTORS;
    }

    /** TCP connections open now, of every kind (devices, handshakes, health checks). */
    public int openConnections() {
        return open.get();
    }

    /** Most connections for which a WebSocket upgrade is still admitted. */
    public int maxConnections() {
        return maxConnections;
    }

    /** From now on every new device is refused (503), so the node can be emptied and stopped. */
    public void startDraining() {
        draining = true;
    }

    public boolean draining() {
        return draining;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        boolean overCeiling = open.incrementAndGet() > hardCeiling;
        ctx.channel().closeFuture().addListener(closed);
        if (overCeiling) {
            // Past the margin for handshakes: a client that opens sockets and never sends a request
            // would otherwise eat the descriptors health checks and the bus need. Close unread.
            ctx.channel().config().setAutoRead(false);
            metrics.refused("fd_ceiling");
            ctx.close();
            return;
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)
                || !new QueryStringDecoder(request.uri()).path().equals(HttpEndpoints.WEBSOCKET_PATH)) {
            ctx.fireChannelRead(msg);
            return;
        }
        String reason = refusal();
        if (reason == null) {
            holdsSlot(ctx.channel());
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            metrics.refused(reason);
            PlainHttp.send(ctx, request,
                    retryAfter.on(PlainHttp.text(HttpResponseStatus.SERVICE_UNAVAILABLE, explain(reason))), false);
        } finally {
            ReferenceCountUtil.release(request);
        }
    }

    /**
     * The 503 an upgrade would get now for want of room (draining, or every device slot taken), or {@code null};
     * takes nothing (the rate limit is not consulted: asking must not spend it). For {@link AdmissionCheck}.
     */
    FullHttpResponse refusalNow() {
        String reason = draining ? "draining" : slots.get() >= maxConnections ? "over_capacity" : null;
        return reason == null ? null
                : retryAfter.on(PlainHttp.text(HttpResponseStatus.SERVICE_UNAVAILABLE, explain(reason)));
    }

    /** The connection took a device slot: its close gives it back. */
    private void holdsSlot(Channel channel) {
        ChannelFuture closeFuture = channel.closeFuture();
        if (closeFuture.isDone()) {
            slots.decrementAndGet(); // closed already (and counted): the slot was never used
            return;
        }
        closeFuture.removeListener(closed).removeListener(closedHoldingSlot).addListener(closedHoldingSlot);
    }

    /**
     * Why the upgrade is refused, or {@code null} to admit it (a slot is then taken); a rate token
     * is spent only when there is a slot.
     */
    private String refusal() {
        if (draining) {
            return "draining";
        }
        if (slots.incrementAndGet() > maxConnections) {
            slots.decrementAndGet();
            return "over_capacity";
        }
        if (connectRate != null && !connectRate.tryTake()) {
            slots.decrementAndGet();
            return "over_rate";
        }
        return null;
    }

    private static String explain(String reason) {
        return switch (reason) {
            case "draining" -> "gateway is draining; reconnect after Retry-After (another node will take you)";
            case "over_capacity" -> "gateway is full; reconnect after Retry-After";
            default -> "too many new connections at once; reconnect after Retry-After";
        };
    }

    /** Random in [retryAfterMin, retryAfterMax], whole seconds rounded up, at least 1: spreads the comeback. */
    long retryAfterSeconds() {
        return retryAfter.seconds();
    }

    /** Admitted upgrades whose connection is still open: the device slots taken. */
    public int devicesAdmitted() {
        return slots.get();
    }
}
