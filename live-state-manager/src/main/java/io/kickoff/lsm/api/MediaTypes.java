package io.kickoff.lsm.api;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads the body of an operation that takes one: a JSON object (400 {@code malformed-json} otherwise) of a media type
 * the operation accepts, in UTF-8 (415 otherwise; for PATCH with {@code Accept-Patch}). A write with neither body
 * nor {@code Content-Type} reads as the empty object.
 */
@ChannelHandler.Sharable
final class MediaTypes extends ExchangeStep {

    @Override
    protected void step(ChannelHandlerContext ctx, Exchange exchange) {
        Set<String> accepted = ((AdminRoutes.Operation) exchange.route().route().handler()).bodyTypes();
        if (!accepted.isEmpty()) {
            checkType(exchange, accepted);
            exchange.json(Json.object(exchange.body()));
        }
        ctx.fireChannelRead(exchange);
    }

    private static void checkType(Exchange exchange, Set<String> accepted) {
        String contentType = exchange.header(HttpHeaderNames.CONTENT_TYPE);
        if (contentType == null && exchange.body().length == 0) {
            return;
        }
        String mime = contentType == null ? "" : contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        String charset = contentType == null ? null : charset(contentType);
        if (!accepted.contains(mime) || charset != null && !charset.equalsIgnoreCase("utf-8")) {
            String acceptedList = accepted.stream().sorted().collect(Collectors.joining(" or "));
            Map<String, String> headers = exchange.method().equals(HttpMethod.PATCH)
                    ? Map.of("Accept-Patch", String.join(", ", accepted.stream().sorted().toList()))
                    : Map.of();
            throw Problems.unsupportedMediaType("send the body as " + acceptedList + " (UTF-8); got "
                    + (contentType == null ? "no Content-Type" : "'" + contentType + "'"), headers);
        }
    }

    /** The charset parameter of a media type, or null. */
    private static String charset(String contentType) {
        String[] parts = contentType.split(";");
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", 2);
            if (kv.length == 2 && kv[0].strip().equalsIgnoreCase("charset")) {
                return kv[1].strip().replace("\"", "");
            }
        }
        return null;
    }
}
