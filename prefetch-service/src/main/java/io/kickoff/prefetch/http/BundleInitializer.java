package io.kickoff.prefetch.http;

import io.kickoff.http.CrossOrigin;
import io.kickoff.http.HttpEdge;
import io.kickoff.http.StaticAssets;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.compression.StandardCompressionOptions;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import java.util.List;

/**
 * The bundle API's pipeline, one handler per job, in the order a request meets them:
 * <pre>
 *   edge          HTTP codec, read timeouts (408), connection cap (503), request guard (400/414/431)
 *   cors          only with --cors-origin: CORS headers, preflights answered (403 for other origins)
 *   compress      gzip/deflate for JSON and text answers
 *   aggregate     whole requests (up to 16 KiB)
 *   sdk, home     static files: the device SDK under /sdk/, the demo home screen under /home/
 *   exchange      request → BundleCall; answers written back in request order; answers counted by status
 *   route         the route table, BundleRoutes (404, 405 with Allow)
 *   probes        /healthz, /readyz, /metrics
 *   negotiate     Accept → protobuf or JSON (406)
 *   shed          X-Priority → a permit of the concurrency limit (503)
 *   authenticate  device token, or ?segment= → the segment (401, 400)
 *   bundles       the segment's bundles from the store (200, 304; 503)
 * </pre>
 */
final class BundleInitializer extends ChannelInitializer<SocketChannel> {
    static final int MAX_REQUEST_BYTES = 16 * 1024;

    private final HttpEdge edge;
    private final BundleExchanges exchanges;
    private final BundleRouting routing;
    private final BundleProbes probes;
    private final FormatNegotiation negotiation;
    private final LoadShedding shedding;
    private final DeviceAuthentication authentication;
    private final BundleListing listing;
    private final List<String> corsOrigins;
    private final StaticAssets sdk;
    private final StaticAssets home;

    BundleInitializer(HttpEdge edge, List<String> corsOrigins, StaticAssets sdk, StaticAssets home,
                      BundleExchanges exchanges, BundleRouting routing, BundleProbes probes,
                      FormatNegotiation negotiation, LoadShedding shedding, DeviceAuthentication authentication,
                      BundleListing listing) {
        this.edge = edge;
        this.corsOrigins = List.copyOf(corsOrigins);
        CrossOrigin.handler(this.corsOrigins); // an origin that is not one fails here, at start, not per connection
        this.sdk = sdk;
        this.home = home;
        this.exchanges = exchanges;
        this.routing = routing;
        this.probes = probes;
        this.negotiation = negotiation;
        this.shedding = shedding;
        this.authentication = authentication;
        this.listing = listing;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        edge.install(ch.pipeline());
        // Netty's CorsHandler keeps the request being answered: one per connection.
        CrossOrigin.handler(corsOrigins).ifPresent(cors -> ch.pipeline().addLast("cors", cors));
        ch.pipeline()
                .addLast("compress", new JsonOnlyCompressor())
                .addLast("aggregate", new HttpObjectAggregator(MAX_REQUEST_BYTES))
                .addLast("sdk", sdk)
                .addLast("home", home)
                .addLast("exchange", exchanges)
                .addLast("route", routing)
                .addLast("probes", probes)
                .addLast("negotiate", negotiation)
                .addLast("shed", shedding)
                .addLast("authenticate", authentication)
                .addLast("bundles", listing);
    }

    /** gzip (or another accepted encoding) for JSON and text only; protobuf is sent as is. */
    static final class JsonOnlyCompressor extends HttpContentCompressor {
        JsonOnlyCompressor() {
            super(256, StandardCompressionOptions.gzip(), StandardCompressionOptions.deflate());
        }

        @Override
        protected Result beginEncode(HttpResponse response, String acceptEncoding) throws Exception {
            String type = response.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
            if (!type.startsWith(ContentNegotiation.JSON_TYPE) && !type.startsWith("text/")) {
                return null;
            }
            return super.beginEncode(response, acceptEncoding);
        }
    }
}
