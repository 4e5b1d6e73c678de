package io.kickoff.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Refuses, before any route sees it, a request that cannot be taken at its word: one the codec could not parse
 * (400; 414 for a long request line, 431 for large headers), one without exactly one {@code Host}, one with two
 * {@code Content-Type}, and one whose target has malformed percent-encoding (a {@code %} not followed by two hex
 * digits, or escapes that are not UTF-8). The refusal closes the connection; what is left of the refused request
 * is dropped. One per connection (it remembers that it is dropping).
 *
 * <p>{@link #unreadableOnly(Refusal)} is the same guard without the {@code Host} and {@code Content-Type} rules, for
 * a server whose protocol asks nothing of those headers (the gateway's WebSocket upgrade).
 */
public final class RequestGuard extends ChannelInboundHandlerAdapter {
    private final Refusal refusal;
    private final boolean headerRules;
    private boolean dropping;

    public RequestGuard(Refusal refusal) {
        this(refusal, true);
    }

    private RequestGuard(Refusal refusal, boolean headerRules) {
        this.refusal = Objects.requireNonNull(refusal, "refusal");
        this.headerRules = headerRules;
    }

    /** Refuses only what cannot be read: 414, 431, and 400 for an unparseable request or malformed percent-encoding. */
    public static RequestGuard unreadableOnly(Refusal refusal) {
        return new RequestGuard(refusal, false);
    }

    /** Why a request is refused: its status, slug and sentence. */
    record Refused(HttpResponseStatus status, String slug, String detail) {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (dropping) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest request) {
            Refused refused = check(request, headerRules);
            if (refused != null) {
                dropping = true;
                ReferenceCountUtil.release(msg);
                refusal.sendAndClose(ctx, refused.status(), refused.slug(), refused.detail(), null);
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** Why {@code request} is refused, or null if it may pass. */
    static Refused check(HttpRequest request) {
        return check(request, true);
    }

    /** Why {@code request} is refused, or null: unparseable, then (with {@code headerRules}) headers, then the target. */
    static Refused check(HttpRequest request, boolean headerRules) {
        DecoderResult result = request.decoderResult();
        if (result.isFailure()) {
            Throwable cause = result.cause();
            if (cause instanceof TooLongHttpLineException) {
                return new Refused(HttpResponseStatus.REQUEST_URI_TOO_LONG, "uri-too-long",
                        "the request line is too long");
            }
            if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
                return new Refused(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "headers-too-large",
                        "the request headers are too large");
            }
            return new Refused(HttpResponseStatus.BAD_REQUEST, "bad-request", "the request is not valid HTTP/1.1");
        }
        if (headerRules) {
            int hosts = request.headers().getAll(HttpHeaderNames.HOST).size();
            if (hosts != 1) {
                return new Refused(HttpResponseStatus.BAD_REQUEST, "bad-host",
                        hosts == 0 ? "a Host header is required" : "Host may be given once");
            }
            if (request.headers().getAll(HttpHeaderNames.CONTENT_TYPE).size() > 1) {
                return new Refused(HttpResponseStatus.BAD_REQUEST, "bad-content-type", "Content-Type may be given once");
            }
        }
        if (!isWellFormedTarget(request.uri())) {
            return new Refused(HttpResponseStatus.BAD_REQUEST, "malformed-target",
                    "the request target has malformed percent-encoding (each % must start an escape of two hex digits, and escapes must be UTF-8)");
        }
        return null;
    }

    /**
     * True if every {@code %} of {@code target} starts a two-hex-digit escape and what the escapes decode to is
     * UTF-8 (checked per path segment and query component, where a decoder would decode).
     */
    static boolean isWellFormedTarget(String target) {
        int n = target.length();
        byte[] bytes = new byte[n];
        int size = 0;
        for (int i = 0; i < n; i++) {
            char c = target.charAt(i);
            if (c == '%') {
                if (i + 2 >= n) {
                    return false;
                }
                int hi = Character.digit(target.charAt(i + 1), 16);
                int lo = Character.digit(target.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return false;
                }
                bytes[size++] = (byte) (hi << 4 | lo);
                i += 2;
            } else if (c == '/' || c == '?' || c == '&' || c == '=' || c == ';' || c == '#') {
                if (!isUtf8(bytes, size)) {
                    return false;
                }
                size = 0;
            } else if (c < 0x80) {
                bytes[size++] = (byte) c;
            } else {
                // raw non-ASCII: the codec passed it; only escapes are judged here
                if (!isUtf8(bytes, size)) {
                    return false;
                }
                size = 0;
            }
        }
        return isUtf8(bytes, size);
    }

    private static boolean isUtf8(byte[] bytes, int size) {
        if (size == 0) {
            return true;
        }
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, size));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
