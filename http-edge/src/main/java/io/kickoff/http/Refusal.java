package io.kickoff.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * How a server words the answers its edge gives on its behalf (a plain-text line, a problem document...). The edge
 * adds {@code Connection: close}, {@code Content-Length} and, on a 503, {@code Retry-After}, then closes.
 */
@FunctionalInterface
public interface Refusal {

    /**
     * @param status the status of the refusal
     * @param slug   a short machine name of the reason, e.g. {@code missing-host} or {@code request-timeout}
     * @param detail one sentence for a person
     */
    FullHttpResponse response(HttpResponseStatus status, String slug, String detail);

    /** {@code text/plain}: the detail on one line. */
    static Refusal plainText() {
        return (status, slug, detail) -> {
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer(detail + "\n", StandardCharsets.UTF_8));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            return r;
        };
    }

    /** Writes the refusal through {@code ctx} (which must sit after the HTTP codec) and closes the connection. */
    default void sendAndClose(ChannelHandlerContext ctx, HttpResponseStatus status, String slug, String detail,
                              String retryAfter) {
        FullHttpResponse r = response(status, slug, detail);
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        if (retryAfter != null) {
            r.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfter);
        }
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }
}
