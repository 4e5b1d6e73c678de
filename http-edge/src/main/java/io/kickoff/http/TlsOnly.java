package io.kickoff.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First in a TLS server's pipeline: waits for the first record header of a connection. TLS: replaces itself with an
 * {@link SslHandler} of the certificate in use now (so a reload reaches every connection opened after it). Anything
 * else (a plain-HTTP request to the TLS port): a 400 saying to use https, then the connection is closed, rather
 * than a reset the client cannot explain.
 */
final class TlsOnly extends ByteToMessageDecoder {
    private static final Logger log = LoggerFactory.getLogger(TlsOnly.class);
    /** Type, version and length: enough to tell a TLS record from the first bytes of an HTTP request. */
    private static final int RECORD_HEADER_BYTES = 5;
    static final String PLAIN_HTTP_ANSWER = answer("this port speaks TLS only: use https:// (or wss:// for devices)\n");

    private final ServerTls tls;

    TlsOnly(ServerTls tls) {
        this.tls = tls;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < RECORD_HEADER_BYTES) {
            return;
        }
        if (SslHandler.isEncrypted(in, false)) {
            SslHandler handler = tls.newHandler(ctx.alloc());
            try {
                // The bytes read so far go on to the new handler when this one leaves.
                ctx.pipeline().replace(this, "tls", handler);
                handler = null;
            } finally {
                if (handler != null) {
                    ReferenceCountUtil.safeRelease(handler.engine());
                }
            }
            return;
        }
        in.skipBytes(in.readableBytes());
        log.debug("plain text on the TLS port from {}: answered 400 and closed", ctx.channel().remoteAddress());
        ctx.channel().config().setAutoRead(false);
        ctx.writeAndFlush(Unpooled.copiedBuffer(PLAIN_HTTP_ANSWER, StandardCharsets.US_ASCII))
                .addListener(ChannelFutureListener.CLOSE);
    }

    private static String answer(String body) {
        return "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " + body.length()
                + "\r\nConnection: close\r\n\r\n" + body;
    }
}
