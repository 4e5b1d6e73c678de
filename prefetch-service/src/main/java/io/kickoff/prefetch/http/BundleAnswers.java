package io.kickoff.prefetch.http;

import io.kickoff.http.RetryAfter;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** Every answer of the bundle API but the bundles themselves is built here: one line of plain text, with its headers. */
final class BundleAnswers {
    private final RetryAfter retryAfter;

    BundleAnswers(RetryAfter retryAfter) {
        this.retryAfter = retryAfter;
    }

    static FullHttpResponse text(HttpResponseStatus status, String body) {
        return response(status, (body + "\n").getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8");
    }

    static FullHttpResponse response(HttpResponseStatus status, byte[] body, String contentType) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        return r;
    }

    static FullHttpResponse malformed() {
        return text(HttpResponseStatus.BAD_REQUEST, "malformed request");
    }

    static FullHttpResponse notFound() {
        return text(HttpResponseStatus.NOT_FOUND, "no such resource");
    }

    static FullHttpResponse methodNotAllowed(String allow) {
        FullHttpResponse r = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "use " + allow);
        r.headers().set(HttpHeaderNames.ALLOW, allow);
        return r;
    }

    static FullHttpResponse notAcceptable() {
        return text(HttpResponseStatus.NOT_ACCEPTABLE,
                "acceptable: " + ContentNegotiation.PROTOBUF_TYPE + ", " + ContentNegotiation.JSON_TYPE);
    }

    static FullHttpResponse unauthorized(String reason) {
        FullHttpResponse r = text(HttpResponseStatus.UNAUTHORIZED, reason);
        r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
        return r;
    }

    static FullHttpResponse badSegment() {
        return text(HttpResponseStatus.BAD_REQUEST, "unknown or malformed segment");
    }

    /** 503 with a jittered Retry-After. */
    FullHttpResponse unavailable(String reason) {
        FullHttpResponse r = text(HttpResponseStatus.SERVICE_UNAVAILABLE, reason);
        r.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfter.value());
        return r;
    }
}
