package io.kickoff.prefetch.http;

import io.kickoff.http.HttpEdge;
import io.kickoff.http.LogText;
import io.kickoff.http.Refusal;
import io.kickoff.http.RetryAfter;
import io.kickoff.prefetch.bundle.BundleStore;
import io.kickoff.protocol.WireFormat;
import io.kickoff.protocol.token.DeviceClaims;
import io.kickoff.protocol.token.DeviceTokens;
import io.kickoff.protocol.token.TokenException;
import io.kickoff.protocol.v1.Bundle;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.compression.StandardCompressionOptions;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bundle HTTP API (Netty).
 *
 * <p>{@code GET /v1/bundles}: the bundles of every upcoming and live event of the caller's segment
 * (what the store lists for it). The segment comes from the bearer token ({@code Authorization:
 * Bearer}); tools may pass {@code ?segment=} instead, if the config allows it (a token, when present,
 * wins).
 * <ul>
 *   <li>{@code Accept: application/x-protobuf} (also the default, for no header or {@code *}/{@code *}):
 *       the body is a <b>length-delimited stream of {@code Bundle} messages</b> — each a varint byte
 *       length followed by the message, as protobuf's {@code writeDelimitedTo}/{@code parseDelimitedFrom}
 *       (the contract has no list message); the empty body is the empty list.</li>
 *   <li>{@code Accept: application/json}: a JSON array of bundles in protobuf canonical JSON,
 *       gzip-compressed if the client accepts it.</li>
 *   <li>Anything else: 406.</li>
 * </ul>
 * {@code ETag} is a weak tag hashing the format and every (event, version) served;
 * {@code If-None-Match} with it gives 304. {@code Cache-Control: max-age} is jittered per response.
 *
 * <p>Load shedding: {@code X-Priority: prefetch} (the default) or {@code critical}. Past the
 * concurrency limit, prefetch requests get 503 with a jittered {@code Retry-After}; critical ones
 * may still use a separate reserve. Shedding is decided before the token is verified, so a shed
 * request costs little.
 *
 * <p>Also {@code /healthz} (process up), {@code /readyz} (the readiness supplier) and
 * {@code /metrics} (Prometheus text). 401 for a missing or bad token, 400 for a bad {@code segment},
 * 404 and 405 as usual.
 *
 * <p>The port needs no token for health checks, so it sits behind the platform's {@link HttpEdge}: read
 * timeouts (408 for a partly received request, idle connections closed), a connection cap (503 with a
 * jittered {@code Retry-After}) and the request guard (400 for a missing or repeated {@code Host}, a
 * repeated {@code Content-Type} or malformed percent-encoding; 414 and 431 for oversized requests).
 * Every 503 carries a {@code Retry-After} drawn from {@code retryAfterMin}–{@code retryAfterMax}.
 */
public final class BundleServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BundleServer.class);
    public static final String BUNDLES_PATH = "/v1/bundles";
    static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final String METRIC = "kickoff.prefetch.http";

    private final BundleServerConfig config;
    private final BundleStore store;
    private final DeviceTokens tokens;
    private final Predicate<String> knownSegment;
    private final BooleanSupplier ready;
    private final PrometheusMeterRegistry registry;
    private final Jitter jitter;
    private final PriorityLimiter limiter;
    private final RetryAfter retryAfter;
    private final HttpEdge edge;

    private final Counter bundlesServed;
    private final Counter bytesServed;
    private final Counter hits;
    private final Counter notModified;
    private final Map<Priority, Counter> sheds = new ConcurrentHashMap<>();
    private final Map<Integer, Counter> responses = new ConcurrentHashMap<>();

    private EventLoopGroup group;
    private Channel channel;

    /**
     * @param knownSegment which segment ids exist (e.g. {@code id -> catalog.get().segment(id).isPresent()});
     *                     an unknown {@code ?segment=} is a 400
     * @param ready        whether the service may take traffic (catalog loaded, stages caught up)
     */
    public BundleServer(BundleServerConfig config, BundleStore store, DeviceTokens tokens,
                        Predicate<String> knownSegment, BooleanSupplier ready, PrometheusMeterRegistry registry,
                        Jitter jitter) {
        this.config = config;
        this.store = store;
        this.tokens = tokens;
        this.knownSegment = knownSegment;
        this.ready = ready;
        this.registry = registry;
        this.jitter = jitter;
        this.limiter = new PriorityLimiter(config.concurrencyLimit(), config.criticalReserve());
        this.retryAfter = new RetryAfter(config.retryAfterMin(), config.retryAfterMax(), jitter::uniform);
        this.edge = new HttpEdge(config.edge(), Refusal.plainText(), retryAfter);
        this.bundlesServed = registry.counter(METRIC + ".bundles");
        this.bytesServed = registry.counter(METRIC + ".bytes");
        this.hits = registry.counter(METRIC + ".hits");
        this.notModified = registry.counter(METRIC + ".not.modified");
        for (Priority p : Priority.values()) {
            sheds.put(p, registry.counter(METRIC + ".shed", "priority", p.label()));
        }
        Gauge.builder(METRIC + ".in.flight", limiter, PriorityLimiter::inFlight).register(registry);
    }

    /** Binds and returns the bound port. */
    public synchronized int start() throws InterruptedException {
        if (channel != null) {
            throw new IllegalStateException("already started");
        }
        group = new MultiThreadIoEventLoopGroup(config.ioThreads(), NioIoHandler.newFactory());
        ChannelHandler handler = new Handler();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        edge.install(ch.pipeline());
                        ch.pipeline()
                                .addLast(new JsonOnlyCompressor())
                                .addLast(new HttpObjectAggregator(16 * 1024))
                                .addLast(handler);
                    }
                });
        try {
            channel = bootstrap.bind(config.host(), config.port()).sync().channel();
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully();
            group = null;
            throw e;
        }
        int port = ((InetSocketAddress) channel.localAddress()).getPort();
        log.info("bundle API listening on {}:{}", config.host(), port);
        return port;
    }

    /** Connections open now (the cap counts these). */
    public int openConnections() {
        return edge.openConnections();
    }

    /** The permits of the load shedder (tests hold them to drive it). */
    public PriorityLimiter limiter() {
        return limiter;
    }

    @Override
    public synchronized void close() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
            channel = null;
        }
        if (group != null) {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
            group = null;
        }
    }

    /** gzip (or another accepted encoding) for JSON and text only; protobuf is sent as is. */
    private static final class JsonOnlyCompressor extends HttpContentCompressor {
        JsonOnlyCompressor() {
            super(256, StandardCompressionOptions.gzip(), StandardCompressionOptions.deflate());
        }

        @Override
        protected Result beginEncode(HttpResponse response, String acceptEncoding) throws Exception {
            String type = response.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
            if (!type.startsWith(ContentNegotiation.JSON_TYPE) && !type.startsWith("text/")) {
                return null;
            }
            return super.beginEncode(response, acceptEncoding);
        }
    }

    @ChannelHandler.Sharable
    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (!request.decoderResult().isSuccess()) {
                send(ctx, request, text(HttpResponseStatus.BAD_REQUEST, "malformed request"));
                return;
            }
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            String path = uri.path();
            switch (path) {
                case "/healthz" -> send(ctx, request, text(HttpResponseStatus.OK, "ok"));
                case "/readyz" -> send(ctx, request, ready.getAsBoolean()
                        ? text(HttpResponseStatus.OK, "ready")
                        : unavailable("not ready"));
                case "/metrics" -> {
                    FullHttpResponse r = response(HttpResponseStatus.OK,
                            registry.scrape().getBytes(StandardCharsets.UTF_8), "text/plain; version=0.0.4; charset=utf-8");
                    send(ctx, request, r);
                }
                case BUNDLES_PATH -> bundles(ctx, request, uri);
                default -> send(ctx, request, text(HttpResponseStatus.NOT_FOUND, "no such resource"));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("bundle API connection error: {}", cause.toString());
            ctx.close();
        }
    }

    private void bundles(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri) {
        if (!HttpMethod.GET.equals(request.method())) {
            FullHttpResponse r = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "use GET");
            r.headers().set(HttpHeaderNames.ALLOW, "GET");
            send(ctx, request, r);
            return;
        }
        var format = ContentNegotiation.negotiate(request.headers().get(HttpHeaderNames.ACCEPT));
        if (format.isEmpty()) {
            send(ctx, request, text(HttpResponseStatus.NOT_ACCEPTABLE,
                    "acceptable: " + ContentNegotiation.PROTOBUF_TYPE + ", " + ContentNegotiation.JSON_TYPE));
            return;
        }
        Priority priority = Priority.parse(request.headers().get(Priority.HEADER));
        PriorityLimiter.Permit permit = limiter.tryAcquire(priority);
        if (permit == null) {
            sheds.get(priority).increment();
            send(ctx, request, unavailable("overloaded, retry later"));
            return;
        }
        boolean handedOff = false;
        try {
            String segment;
            String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
            List<String> segmentParam = uri.parameters().get("segment");
            if (authorization != null) {
                DeviceClaims claims;
                try {
                    claims = tokens.verify(bearer(authorization));
                } catch (TokenException e) {
                    send(ctx, request, unauthorized(e.getMessage()));
                    return;
                }
                segment = claims.segment();
            } else if (config.allowSegmentQuery() && segmentParam != null) {
                segment = segmentParam.get(0);
                if (segmentParam.size() != 1 || !SEGMENT.matcher(segment).matches() || !knownSegment.test(segment)) {
                    send(ctx, request, text(HttpResponseStatus.BAD_REQUEST, "unknown or malformed segment"));
                    return;
                }
            } else {
                send(ctx, request, unauthorized("no device token"));
                return;
            }
            String ifNoneMatch = request.headers().get(HttpHeaderNames.IF_NONE_MATCH);
            request.retain();
            handedOff = true;
            store.listBySegment(segment).whenComplete((list, error) -> ctx.executor().execute(() -> {
                try {
                    if (error != null) {
                        log.warn("bundle listing for segment {} failed: {}", LogText.escape(segment), error.toString());
                        send(ctx, request, unavailable("store unavailable"));
                    } else {
                        send(ctx, request, bundleResponse(list, format.get(), ifNoneMatch));
                    }
                } finally {
                    request.release();
                    permit.release();
                }
            }));
        } finally {
            if (!handedOff) {
                permit.release();
            }
        }
    }

    /**
     * The last answer built per (segment list, format), reused while the listed (event, version)
     * pairs are the same: a herd asking for one segment's bundles costs one serialization and one
     * hash, not one per request.
     */
    private record Encoded(String listing, String etag, byte[] body) {
    }

    private final Map<WireFormat, Map<String, Encoded>> encoded = new java.util.EnumMap<>(Map.of(
            WireFormat.PROTOBUF, new ConcurrentHashMap<>(), WireFormat.JSON, new ConcurrentHashMap<>()));

    private Encoded encode(List<Bundle> bundles, WireFormat format) {
        StringBuilder listing = new StringBuilder(bundles.size() * 32);
        for (Bundle b : bundles) {
            listing.append(b.getEventId()).append(':').append(b.getSegment()).append(' ').append(b.getVersion()).append('\n');
        }
        String key = listing.toString();
        Map<String, Encoded> cache = encoded.get(format);
        String segment = bundles.isEmpty() ? "" : bundles.get(0).getSegment();
        Encoded hit = cache.get(segment);
        if (hit != null && hit.listing().equals(key)) {
            return hit;
        }
        Encoded fresh = new Encoded(key, etag(bundles, format),
                format == WireFormat.PROTOBUF ? delimited(bundles) : jsonArray(bundles));
        cache.put(segment, fresh);
        return fresh;
    }

    private FullHttpResponse bundleResponse(List<Bundle> bundles, WireFormat format, String ifNoneMatch) {
        Encoded answer = encode(bundles, format);
        String etag = answer.etag();
        FullHttpResponse r;
        if (ifNoneMatch != null && matches(ifNoneMatch, etag)) {
            notModified.increment();
            r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_MODIFIED, Unpooled.EMPTY_BUFFER);
        } else {
            byte[] body = answer.body();
            r = response(HttpResponseStatus.OK, body,
                    format == WireFormat.PROTOBUF ? ContentNegotiation.PROTOBUF_TYPE : ContentNegotiation.JSON_TYPE);
            hits.increment();
            bundlesServed.increment(bundles.size());
            bytesServed.increment(body.length);
        }
        r.headers().set(HttpHeaderNames.ETAG, etag);
        // the body depends on the format, the caller's segment and (JSON) the encoding
        r.headers().set(HttpHeaderNames.VARY, "Accept, Accept-Encoding, Authorization");
        r.headers().set(HttpHeaderNames.CACHE_CONTROL,
                "private, max-age=" + jitter.secondsAround(config.maxAge(), config.maxAgeJitter()));
        return r;
    }

    /** Weak ETag over the format and every (event, version), in listing order. */
    static String etag(List<Bundle> bundles, WireFormat format) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        sha.update(format.name().getBytes(StandardCharsets.US_ASCII));
        for (Bundle b : bundles) {
            sha.update((byte) '\n');
            sha.update(b.getEventId().getBytes(StandardCharsets.UTF_8));
            sha.update((byte) ' ');
            sha.update(b.getVersion().getBytes(StandardCharsets.UTF_8));
        }
        return "W/\"" + HexFormat.of().formatHex(sha.digest(), 0, 12) + "\"";
    }

    static boolean matches(String ifNoneMatch, String etag) {
        String opaque = stripWeak(etag);
        for (String candidate : ifNoneMatch.split(",")) {
            String c = candidate.trim();
            if (c.equals("*") || stripWeak(c).equals(opaque)) {
                return true;
            }
        }
        return false;
    }

    private static String stripWeak(String tag) {
        return tag.startsWith("W/") ? tag.substring(2) : tag;
    }

    private static byte[] delimited(List<Bundle> bundles) {
        ByteBuf buf = Unpooled.buffer();
        try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
            for (Bundle b : bundles) {
                b.writeDelimitedTo(out);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        buf.release();
        return bytes;
    }

    private static byte[] jsonArray(List<Bundle> bundles) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < bundles.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(new String(WireFormat.JSON.encode(bundles.get(i)), StandardCharsets.UTF_8));
        }
        return sb.append(']').toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String bearer(String authorization) {
        String a = authorization.trim();
        if (a.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return a.substring(7).trim();
        }
        return "";
    }

    private static FullHttpResponse unauthorized(String reason) {
        FullHttpResponse r = text(HttpResponseStatus.UNAUTHORIZED, reason);
        r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
        return r;
    }

    /** 503 with a jittered Retry-After. */
    private FullHttpResponse unavailable(String reason) {
        FullHttpResponse r = text(HttpResponseStatus.SERVICE_UNAVAILABLE, reason);
        r.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfter.value());
        return r;
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body) {
        return response(status, (body + "\n").getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8");
    }

    private static FullHttpResponse response(HttpResponseStatus status, byte[] body, String contentType) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        return r;
    }

    private void send(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response) {
        responses.computeIfAbsent(response.status().code(),
                code -> registry.counter(METRIC + ".responses", "status", Integer.toString(code))).increment();
        HttpUtil.setContentLength(response, response.content().readableBytes());
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (keepAlive) {
            if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
