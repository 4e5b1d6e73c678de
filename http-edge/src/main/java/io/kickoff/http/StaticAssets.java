package io.kickoff.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Static files under one URL prefix (a web page, its scripts and styles), served from the classpath, so that a page
 * ships inside the jar with no build step. Requests outside the prefix pass on to the next handler untouched; the
 * handler sits after the aggregator, before the server's own routes.
 *
 * <p>Answers: {@code GET}/{@code HEAD} of a file → 200 with its content type, an {@code ETag} and
 * {@code Cache-Control: no-cache} (a browser revalidates and gets 304 while the jar is the same); the prefix without
 * its trailing slash → 301 to it; the prefix → {@code index.html}; a missing file, a dot segment or an encoded slash →
 * 404; any other method → 405 with {@code Allow: GET, HEAD}. Pages get {@code X-Frame-Options: DENY} and the
 * configured {@code Content-Security-Policy}; every answer {@code X-Content-Type-Options: nosniff} and
 * {@code Referrer-Policy: no-referrer}.
 *
 * <p>Files are read once, on first request, and kept (they cannot change inside a jar). Small generated documents
 * (a page's {@code config.json}) are asked of their supplier on each request.
 */
@ChannelHandler.Sharable
public final class StaticAssets extends ChannelInboundHandlerAdapter {
    private static final Map<String, String> CONTENT_TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"),
            Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("mjs", "text/javascript; charset=utf-8"),
            Map.entry("ts", "text/plain; charset=utf-8"),
            Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("json", "application/json"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("png", "image/png"),
            Map.entry("jpg", "image/jpeg"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("txt", "text/plain; charset=utf-8"),
            Map.entry("md", "text/plain; charset=utf-8"),
            Map.entry("map", "application/json"),
            Map.entry("woff2", "font/woff2"));
    private static final String DEFAULT_POLICY =
            "default-src 'self'; connect-src 'self' ws: wss: http: https:; img-src 'self' data: http: https:; "
                    + "style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

    private final String prefix;
    private final Map<String, String> roots;
    private final Map<String, Generated> documents;
    private final String contentSecurityPolicy;
    private final ClassLoader loader;
    private final Map<String, Optional<Asset>> cache = new ConcurrentHashMap<>();

    private StaticAssets(Builder builder) {
        this.prefix = builder.prefix;
        this.roots = Map.copyOf(builder.roots);
        this.documents = Map.copyOf(builder.documents);
        this.contentSecurityPolicy = builder.contentSecurityPolicy;
        this.loader = builder.loader;
    }

    /**
     * Files under {@code prefix}, which starts and ends with a slash, e.g. {@code /console/}.
     */
    public static Builder builder(String prefix) {
        return new Builder(prefix);
    }

    /** The URL prefix this handler answers, e.g. {@code /console/}. */
    public String prefix() {
        return prefix;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        String path = new QueryStringDecoder(request.uri()).rawPath();
        boolean bare = path.equals(prefix.substring(0, prefix.length() - 1));
        if (!bare && !path.startsWith(prefix)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            respond(ctx, request, answer(request, path, bare));
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private FullHttpResponse answer(HttpRequest request, String path, boolean bare) {
        HttpMethod method = request.method();
        if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
            FullHttpResponse refused = plain(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed\n");
            refused.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            return refused;
        }
        if (bare) {
            FullHttpResponse moved = plain(HttpResponseStatus.MOVED_PERMANENTLY, "");
            moved.headers().set(HttpHeaderNames.LOCATION, prefix);
            return moved;
        }
        String relative = path.substring(prefix.length());
        if (relative.isEmpty()) {
            relative = "index.html";
        }
        Optional<Asset> asset = find(relative);
        if (asset.isEmpty()) {
            return plain(HttpResponseStatus.NOT_FOUND, "not found: " + LogText.escape(path) + "\n");
        }
        Asset found = asset.get();
        String etag = "\"" + found.tag() + "\"";
        if (etag.equals(request.headers().get(HttpHeaderNames.IF_NONE_MATCH))) {
            FullHttpResponse notModified = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_MODIFIED);
            notModified.headers().set(HttpHeaderNames.ETAG, etag);
            secure(notModified);
            return notModified;
        }
        boolean head = method.equals(HttpMethod.HEAD);
        FullHttpResponse ok = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(found.bytes()));
        ok.headers().set(HttpHeaderNames.CONTENT_TYPE, found.contentType())
                .set(HttpHeaderNames.CONTENT_LENGTH, found.bytes().length)
                .set(HttpHeaderNames.ETAG, etag)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        if (found.contentType().startsWith("text/html")) {
            ok.headers().set("X-Frame-Options", "DENY").set("Content-Security-Policy", contentSecurityPolicy);
        }
        secure(ok);
        return ok;
    }

    private Optional<Asset> find(String relative) {
        if (!safe(relative)) {
            return Optional.empty();
        }
        Generated document = documents.get(relative);
        if (document != null) {
            return Optional.of(Asset.of(document.body().get().getBytes(StandardCharsets.UTF_8), document.contentType()));
        }
        return cache.computeIfAbsent(relative, this::load);
    }

    private Optional<Asset> load(String relative) {
        String type = contentType(relative);
        if (type == null) {
            return Optional.empty();
        }
        for (Map.Entry<String, String> root : roots.entrySet()) {
            if (!relative.startsWith(root.getKey())) {
                continue;
            }
            String resource = root.getValue() + relative.substring(root.getKey().length());
            try (InputStream in = loader.getResourceAsStream(resource)) {
                if (in != null) {
                    return Optional.of(Asset.of(in.readAllBytes(), type));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + resource, e);
            }
        }
        return Optional.empty();
    }

    /** No dot segments, empty segments or escapes: a path names a file under a root and nothing else. */
    private static boolean safe(String relative) {
        if (relative.indexOf('%') >= 0 || relative.indexOf('\\') >= 0 || relative.startsWith("/")) {
            return false;
        }
        for (String segment : relative.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    private static String contentType(String relative) {
        int dot = relative.lastIndexOf('.');
        return dot < 0 ? null : CONTENT_TYPES.get(relative.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static FullHttpResponse plain(HttpResponseStatus status, String text) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        secure(response);
        return response;
    }

    private static void secure(FullHttpResponse response) {
        response.headers().set("X-Content-Type-Options", "nosniff").set("Referrer-Policy", "no-referrer");
    }

    private static void respond(ChannelHandlerContext ctx, HttpRequest request, FullHttpResponse response) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpUtil.setKeepAlive(response, keepAlive);
        ctx.writeAndFlush(response)
                .addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
    }

    private record Asset(byte[] bytes, String contentType, String tag) {
        static Asset of(byte[] bytes, String contentType) {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
                return new Asset(bytes, contentType, HexFormat.of().formatHex(digest, 0, 12));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is missing from this JVM", e);
            }
        }
    }

    private record Generated(String contentType, Supplier<String> body) {
    }

    /** Immutable once built; a handler may serve many channels. */
    public static final class Builder {
        private final String prefix;
        private final Map<String, String> roots = new LinkedHashMap<>();
        private final Map<String, Generated> documents = new LinkedHashMap<>();
        private String contentSecurityPolicy = DEFAULT_POLICY;
        private ClassLoader loader = StaticAssets.class.getClassLoader();

        private Builder(String prefix) {
            Objects.requireNonNull(prefix, "prefix");
            if (!prefix.startsWith("/") || !prefix.endsWith("/") || prefix.length() < 3) {
                throw new IllegalArgumentException("a static prefix starts and ends with '/', e.g. /console/: " + prefix);
            }
            this.prefix = prefix;
        }

        /** Files under the prefix are the classpath resources under {@code resourceRoot}, e.g. {@code console/}. */
        public Builder classpath(String resourceRoot) {
            return classpath("", resourceRoot);
        }

        /**
         * Files under {@code prefix + subPath} are the classpath resources under {@code resourceRoot}; e.g.
         * {@code classpath("sdk/", "io/kickoff/sdk/")}. Longer sub-paths should be added first.
         */
        public Builder classpath(String subPath, String resourceRoot) {
            Objects.requireNonNull(subPath, "subPath");
            Objects.requireNonNull(resourceRoot, "resourceRoot");
            if (!resourceRoot.isEmpty() && !resourceRoot.endsWith("/")) {
                throw new IllegalArgumentException("a resource root ends with '/': " + resourceRoot);
            }
            roots.put(subPath, resourceRoot);
            return this;
        }

        /** A small document generated on each request, e.g. a page's {@code config.json}. */
        public Builder document(String relativePath, String contentType, Supplier<String> body) {
            documents.put(relativePath, new Generated(Objects.requireNonNull(contentType, "contentType"),
                    Objects.requireNonNull(body, "body")));
            return this;
        }

        /** The {@code Content-Security-Policy} of pages; by default scripts and styles only from this origin. */
        public Builder contentSecurityPolicy(String policy) {
            this.contentSecurityPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Where resources are looked up; this module's class loader by default. */
        public Builder classLoader(ClassLoader loader) {
            this.loader = Objects.requireNonNull(loader, "loader");
            return this;
        }

        public StaticAssets build() {
            return new StaticAssets(this);
        }
    }
}
