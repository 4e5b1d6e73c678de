package io.kickoff.prefetch.http;

import io.kickoff.http.RouteTable;
import io.kickoff.protocol.WireFormat;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One request of the bundle API on its way down the pipeline, and its answer. Each step sets what it learns once (the
 * route, the format, the segment) and passes the call on, or answers it; {@link BundleExchanges} writes the answer.
 * Copied out of the Netty request, so it holds no buffer.
 */
final class BundleCall {
    private final HttpMethod method;
    private final String path;
    private final Map<String, List<String>> query;
    private final HttpHeaders headers;
    private final CompletableFuture<FullHttpResponse> answer = new CompletableFuture<>();

    private RouteTable.Lookup.Found<BundleRoutes.Endpoint> route;
    private WireFormat format;
    private String segment;

    BundleCall(HttpMethod method, String path, Map<String, List<String>> query, HttpHeaders headers) {
        this.method = method;
        this.path = path;
        this.query = query;
        this.headers = headers;
    }

    HttpMethod method() {
        return method;
    }

    /** The decoded path, without the query. */
    String path() {
        return path;
    }

    Map<String, List<String>> query() {
        return query;
    }

    String header(CharSequence name) {
        return headers.get(name);
    }

    CompletableFuture<FullHttpResponse> answer() {
        return answer;
    }

    void answer(FullHttpResponse response) {
        if (!answer.complete(response)) {
            response.release();
        }
    }

    void fail(Throwable error) {
        answer.completeExceptionally(error);
    }

    RouteTable.Lookup.Found<BundleRoutes.Endpoint> route() {
        return route;
    }

    void route(RouteTable.Lookup.Found<BundleRoutes.Endpoint> route) {
        this.route = route;
    }

    WireFormat format() {
        return format;
    }

    void format(WireFormat format) {
        this.format = format;
    }

    String segment() {
        return segment;
    }

    void segment(String segment) {
        this.segment = segment;
    }
}
