package io.kickoff.gateway.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;

/**
 * Answers the requests the HTTP decoder could not read, before anything looks at their path or
 * headers (which are then a placeholder or cut short): a request line over
 * {@value #MAX_REQUEST_LINE_BYTES} bytes gets 414, headers over {@value #MAX_HEADER_BYTES} bytes
 * get 431, anything else unreadable (malformed percent-encoding in the path or query included)
 * 400 — each in plain text, then the connection is closed.
 * A client told 401 or 404 for these would throw away a good token or a good address.
 *
 * <p>Belongs right after the HTTP aggregator ({@link #aggregator()}, which answers a body over
 * its cap with 413 the same way).
 */
@ChannelHandler.Sharable
public final class UnreadableRequests extends ChannelInboundHandlerAdapter {
    /** Longest request line read (docs/protocol.md §2). */
    public static final int MAX_REQUEST_LINE_BYTES = 4 * 1024;
    /** Most bytes of headers read (docs/protocol.md §2). */
    public static final int MAX_HEADER_BYTES = 8 * 1024;
    /** Upgrade requests are headers only; a body bigger than this is not a device. */
    public static final int MAX_BODY_BYTES = 8 * 1024;

    /** The HTTP codec with the documented limits. */
    public static HttpServerCodec codec() {
        return new HttpServerCodec(MAX_REQUEST_LINE_BYTES, MAX_HEADER_BYTES, MAX_BODY_BYTES);
    }

    /** The aggregator with the documented body cap; a bigger body gets a plain-text 413 and a close. */
    public static HttpObjectAggregator aggregator() {
        return new HttpObjectAggregator(MAX_BODY_BYTES) {
            @Override
            protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
                if (oversized instanceof HttpRequest request) {
                    PlainHttp.send(ctx, request, PlainHttp.text(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                            "request body over " + MAX_BODY_BYTES + " bytes"), false);
                } else {
                    ctx.close();
                }
            }
        };
    }

    /** Whether the path and query decode: the handlers after this one take that for granted. */
    private static boolean decodableUri(String uri) {
        try {
            QueryStringDecoder decoder = new QueryStringDecoder(uri);
            decoder.path();
            decoder.parameters();
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)
                || (request.decoderResult().isSuccess() && decodableUri(request.uri()))) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            Throwable cause = request.decoderResult().cause();
            PlainHttp.send(ctx, request, cause instanceof TooLongHttpLineException
                    ? PlainHttp.text(HttpResponseStatus.REQUEST_URI_TOO_LONG,
                            "request line over " + MAX_REQUEST_LINE_BYTES + " bytes")
                    : cause instanceof TooLongHttpHeaderException
                    ? PlainHttp.text(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                            "request headers over " + MAX_HEADER_BYTES + " bytes")
                    : PlainHttp.text(HttpResponseStatus.BAD_REQUEST, cause == null
                            ? "malformed percent-encoding in the request target"
                            : "unreadable HTTP request"), false);
        } finally {
            ReferenceCountUtil.release(request);
        }
    }
}
