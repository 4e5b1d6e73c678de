package io.kickoff.gateway;

import io.kickoff.http.EdgeLimits;
import io.kickoff.http.Refusal;
import io.kickoff.http.RequestGuard;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * The gateway's parts that answer requests it cannot read, before anything looks at their path or
 * headers (which are then a placeholder or cut short): the codec with the documented limits, the
 * aggregator (a body over {@value #MAX_BODY_BYTES} bytes: 413) and, after it, the shared edge's
 * {@link RequestGuard} (a request line over {@value #MAX_REQUEST_LINE_BYTES} bytes: 414, headers
 * over {@value #MAX_HEADER_BYTES} bytes: 431, anything else unreadable, malformed percent-encoding
 * in the path or query included: 400) — each in plain text, then the connection is closed.
 * A client told 401 or 404 for these would throw away a good token or a good address.
 *
 * <p>The guard is the edge's without its {@code Host} and {@code Content-Type} rules: the device
 * protocol (docs/protocol.md §2) asks nothing of those headers.
 */
final class UnreadableRequests {
    /** Longest request line read (docs/protocol.md §2). */
    public static final int MAX_REQUEST_LINE_BYTES = EdgeLimits.DEFAULT_MAX_REQUEST_LINE;
    /** Most bytes of headers read (docs/protocol.md §2). */
    public static final int MAX_HEADER_BYTES = EdgeLimits.DEFAULT_MAX_HEADER_BYTES;
    /** Upgrade requests are headers only; a body bigger than this is not a device. */
    public static final int MAX_BODY_BYTES = 8 * 1024;

    private UnreadableRequests() {
    }

    /** The HTTP codec with the documented limits. */
    public static HttpServerCodec codec() {
        return new HttpServerCodec(MAX_REQUEST_LINE_BYTES, MAX_HEADER_BYTES, MAX_BODY_BYTES);
    }

    /** 414, 431 and 400 for what the codec could not read; one per connection, right after the aggregator. */
    public static RequestGuard guard() {
        return RequestGuard.unreadableOnly(Refusal.plainText());
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
}
