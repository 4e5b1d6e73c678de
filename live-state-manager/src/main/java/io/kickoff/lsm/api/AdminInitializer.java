package io.kickoff.lsm.api;

import io.kickoff.http.CrossOrigin;
import io.kickoff.http.HttpEdge;
import io.kickoff.http.StaticAssets;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;

/**
 * The admin API's pipeline, one handler per job, in the order a request meets them:
 * <pre>
 *   edge           HTTP codec, read timeouts (408), connection cap (503), request guard (400/414/431)
 *   keep-alive     HTTP/1.1 persistent connections
 *   same-origin    (with CORS) the console's own requests are not cross-origin ones
 *   cors           (only where origins are configured) preflights answered, other origins 403 (the console's own
 *                  requests are not cross-origin ones), CrossOrigin
 *   aggregate      whole requests, bodies up to 64 KiB (413 problem)
 *   console-turn   a request for the console's files waits until earlier answers are written
 *   console        the producer console's files under /console/ and its config.json (StaticAssets)
 *   exchange       request → Exchange; answers written back in request order; metrics
 *   deadline       Request-Timeout → the exchange's deadline (400; 503 when it passes)
 *   route          the route table, AdminRoutes (404, 405 with Allow)
 *   probes         /healthz, /readyz, /metrics, answered without a token
 *   authenticate   bearer token → caller (401); writes need an operator (403)
 *   target         query parameters (400), event id (404)
 *   media-type     JSON body of a write (415, 400 malformed-json)
 *   input          the operation reads its input (400 validation)
 *   idempotency    Idempotency-Key: replay the first answer, or remember it (400, 422)
 *   operation      the operation on LiveEvents
 * </pre>
 * Any step may answer instead of passing the exchange on; every problem answer is built by {@link Problems}.
 */
final class AdminInitializer extends ChannelInitializer<SocketChannel> {
    /** Admin bodies are small; anything larger is refused with a 413 problem. */
    static final int MAX_BODY_BYTES = 64 * 1024;

    /** Where the producer console is served. */
    static final String CONSOLE = "/console/";
    /** The charting library's files, from its WebJar, under {@code /console/vendor/uplot/}. */
    static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist/";

    private final HttpEdge edge;
    private final AdminApi api;
    private final BrowserAccess browser;
    private final StaticAssets console;
    private final ConsoleTurn consoleTurn = new ConsoleTurn(CONSOLE);

    AdminInitializer(HttpEdge edge, AdminApi api, BrowserAccess browser) {
        this.edge = edge;
        this.api = api;
        this.browser = browser;
        this.console = console(browser);
    }

    /** The console's files: its own pages and scripts, uPlot from its WebJar, and {@code config.json}. */
    static StaticAssets console(BrowserAccess browser) {
        return StaticAssets.builder(CONSOLE)
                .classLoader(AdminInitializer.class.getClassLoader())
                .classpath("vendor/uplot/", UPLOT)
                .classpath("", "io/kickoff/lsm/console/")
                .document("config.json", "application/json", browser::consoleConfig)
                .build();
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        edge.install(ch.pipeline());
        ch.pipeline().addLast("keep-alive", new HttpServerKeepAliveHandler());
        // A handler per channel: Netty's CorsHandler keeps the request it is answering.
        CrossOrigin.handler(browser.corsOrigins()).ifPresent(cors -> ch.pipeline().addLast("cors", cors));
        ch.pipeline()
                .addLast("aggregate", new ProblemAggregator(api.exchanges, MAX_BODY_BYTES))
                .addLast("console-turn", consoleTurn)
                .addLast("console", console)
                .addLast("exchange", api.exchanges)
                .addLast("deadline", api.deadlines)
                .addLast("route", api.routing)
                .addLast("probes", api.probes)
                .addLast("authenticate", api.authentication)
                .addLast("target", api.targets)
                .addLast("media-type", api.mediaTypes)
                .addLast("input", api.inputs)
                .addLast("idempotency", api.idempotent)
                .addLast("operation", api.operations);
    }

    /** The aggregator, answering an oversized request with a problem document instead of an empty 413. */
    static final class ProblemAggregator extends HttpObjectAggregator {
        private final Exchanges exchanges;
        private final int maxBytes;

        ProblemAggregator(Exchanges exchanges, int maxBytes) {
            super(maxBytes);
            this.exchanges = exchanges;
            this.maxBytes = maxBytes;
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
            if (!(oversized instanceof HttpRequest request)) {
                super.handleOversizedMessage(ctx, oversized);
                return;
            }
            FullHttpResponse response = exchanges.tooLarge(request, maxBytes);
            // As Netty does: if the body is already (partly) here, or the client neither waits for
            // 100-continue nor keeps the connection, the connection cannot be reused.
            boolean close = oversized instanceof FullHttpMessage
                    || !HttpUtil.is100ContinueExpected(oversized) && !HttpUtil.isKeepAlive(oversized);
            if (close) {
                HttpUtil.setKeepAlive(response, false);
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            }
        }
    }
}
