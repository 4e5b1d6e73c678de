package io.kickoff.lsm.api;

import io.kickoff.http.AnswerOrder;
import io.kickoff.http.LogText;
import io.kickoff.http.RouteTable;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts an {@link Exchange} for each request and writes its answer back: answers to pipelined requests in request
 * order (an answer completes on whichever thread finishes the work; Netty hands the write to the event loop), a
 * failure as its problem, with {@code Cache-Control: no-store} on the API's answers, and one timer sample per answer
 * (method, route template, status).
 */
@ChannelHandler.Sharable
final class Exchanges extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(Exchanges.class);

    private final RouteTable<?> routes;
    private final Problems problems;
    private final ApiMetrics metrics;

    Exchanges(RouteTable<?> routes, Problems problems, ApiMetrics metrics) {
        this.routes = routes;
        this.problems = problems;
        this.metrics = metrics;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        long started = System.nanoTime();
        boolean keepAlive = HttpUtil.isKeepAlive(request) && request.decoderResult().isSuccess();
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String path = uri.rawPath();
        String template = routes.templateOf(path).orElse(null);
        String method = request.method().name();
        String route = template == null ? "unmatched" : template;
        boolean api = AdminRoutes.isApi(template);

        Exchange exchange = null;
        RuntimeException unreadable = null;
        try {
            exchange = new Exchange(request.method(), path, uri.parameters(), request.headers(),
                    ByteBufUtil.getBytes(request.content()));
        } catch (RuntimeException e) {
            unreadable = e;
        }
        CompletableFuture<Answer> answer = exchange == null ? CompletableFuture.failedFuture(unreadable) : exchange.answer();
        CompletableFuture<Answer> done = answer.handle((a, error) -> error == null ? a : problems.of(error, path));
        AnswerOrder.writeInTurn(ctx.channel(), done, a -> {
            metrics.record(method, route, a.status(), System.nanoTime() - started);
            write(ctx, a.response(api), keepAlive);
        }, error -> {
            log.error("could not answer {} {}", method, LogText.escape(path), error);
            ctx.close();
        });

        if (exchange == null) {
            return;
        }
        if (request.decoderResult().isFailure()) {
            exchange.fail(Problems.badRequest("the request is not valid HTTP/1.1"));
            return;
        }
        ctx.fireChannelRead(exchange);
    }

    /** The 413 answer for a request whose body is over the limit (sent by the server's aggregator), counted as answers are. */
    FullHttpResponse tooLarge(HttpRequest request, int maxBytes) {
        String path = new QueryStringDecoder(request.uri()).rawPath();
        String template = routes.templateOf(path).orElse(null);
        metrics.record(request.method().name(), template == null ? "unmatched" : template, 413, 0);
        return Problems.tooLarge(path, maxBytes).response(AdminRoutes.isApi(template));
    }

    private static void write(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        HttpUtil.setKeepAlive(response, keepAlive);
        ChannelFuture future = ctx.writeAndFlush(response);
        if (!keepAlive) {
            future.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("admin connection {} failed", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }
}
