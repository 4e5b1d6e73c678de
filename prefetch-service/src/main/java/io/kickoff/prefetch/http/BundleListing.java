package io.kickoff.prefetch.http;

import io.kickoff.http.LogText;
import io.kickoff.prefetch.bundle.BundleStore;
import io.kickoff.protocol.WireFormat;
import io.kickoff.protocol.v1.Bundle;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of the pipeline: the bundles of the call's segment, from the store, in the negotiated format. {@code ETag}
 * is a weak tag over the format and every (event, version) served; {@code If-None-Match} with it gives 304.
 * {@code Cache-Control: max-age} is jittered per response. 503 if the store fails.
 */
@ChannelHandler.Sharable
final class BundleListing extends BundleStep {
    private static final Logger log = LoggerFactory.getLogger(BundleListing.class);

    private final BundleStore store;
    private final BundleServerConfig config;
    private final Jitter jitter;
    private final BundleAnswers answers;
    private final Counter bundlesServed;
    private final Counter bytesServed;
    private final Counter hits;
    private final Counter misses;
    private final Counter notModified;

    /**
     * The last answer built per (segment list, format), reused while the listed (event, version) pairs are the same:
     * a herd asking for one segment's bundles costs one serialization and one hash, not one per request.
     */
    private record Encoded(String listing, String etag, byte[] body) {
    }

    private final Map<WireFormat, Map<String, Encoded>> encoded = new EnumMap<>(Map.of(
            WireFormat.PROTOBUF, new ConcurrentHashMap<>(), WireFormat.JSON, new ConcurrentHashMap<>()));

    BundleListing(BundleStore store, BundleServerConfig config, Jitter jitter, BundleAnswers answers,
                  MeterRegistry registry, String metric) {
        this.store = store;
        this.config = config;
        this.jitter = jitter;
        this.answers = answers;
        this.bundlesServed = Counter.builder(metric + ".bundles").description("bundles sent in 200 answers").register(registry);
        this.bytesServed = Counter.builder(metric + ".bytes").baseUnit("bytes").description("body bytes of 200 answers")
                .register(registry);
        this.hits = Counter.builder(metric + ".hits").description("listings answered 200 with at least one bundle").register(registry);
        this.misses = Counter.builder(metric + ".misses")
                .description("listings answered 200 without any bundle (none materialised for the segment yet)").register(registry);
        this.notModified = Counter.builder(metric + ".not.modified").description("listings answered 304 (the device's ETag matched)")
                .register(registry);
    }

    @Override
    protected void step(ChannelHandlerContext ctx, BundleCall call) {
        String segment = call.segment();
        String ifNoneMatch = call.header(HttpHeaderNames.IF_NONE_MATCH);
        // answered on the event loop: encoding shares its cache with the loop's other calls
        store.listBySegment(segment).whenComplete((list, error) -> {
            try {
                ctx.executor().execute(() -> answer(call, list, error, ifNoneMatch));
            } catch (RejectedExecutionException closing) {
                call.fail(closing); // the server is closing: the permit is released all the same
            }
        });
    }

    private void answer(BundleCall call, List<Bundle> list, Throwable error, String ifNoneMatch) {
        if (error != null) {
            log.warn("bundle listing for segment {} failed: {}", LogText.escape(call.segment()), error.toString());
            call.answer(answers.unavailable("store unavailable"));
            return;
        }
        try {
            call.answer(response(list, call.format(), ifNoneMatch));
        } catch (RuntimeException e) {
            call.fail(e);
        }
    }

    private FullHttpResponse response(List<Bundle> bundles, WireFormat format, String ifNoneMatch) {
        Encoded answer = encode(bundles, format);
        String etag = answer.etag();
        FullHttpResponse r;
        if (ifNoneMatch != null && matches(ifNoneMatch, etag)) {
            notModified.increment();
            r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_MODIFIED, Unpooled.EMPTY_BUFFER);
        } else {
            byte[] body = answer.body();
            r = BundleAnswers.response(HttpResponseStatus.OK, body,
                    format == WireFormat.PROTOBUF ? ContentNegotiation.PROTOBUF_TYPE : ContentNegotiation.JSON_TYPE);
            (bundles.isEmpty() ? misses : hits).increment();
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
}
