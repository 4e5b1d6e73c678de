package io.kickoff.prefetch.http;

import io.kickoff.http.AnswerOrder;
import io.kickoff.http.LogText;
import io.kickoff.http.NodeMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a {@link BundleCall} for each request and writes its answer back, in request order, with its length and
 * the connection's fate (kept alive, or closed after the answer), counting answers by status. A call that fails
 * instead of answering closes the connection.
 */
@ChannelHandler.Sharable
final class BundleExchanges extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(BundleExchanges.class);

    private final MeterRegistry registry;
    private final String metric;
    private final Map<Integer, Counter> responses = new ConcurrentHashMap<>();

    /** What the bundle API answers (and its edge refuses with): counted from the start at zero. */
    static final int[] KNOWN_STATUSES = {200, 304, 400, 401, 404, 405, 406, 408, 413, 414, 431, 503};
    /** A listing is read from memory or a local Redis: well under a millisecond to tens of milliseconds. */
    static final Duration[] BUCKETS = NodeMeters.buckets(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
            0.1, 0.25, 0.5, 1, 2.5);

    private final Timer requests;

    BundleExchanges(MeterRegistry registry, String metric) {
        this.registry = registry;
        this.metric = metric;
        this.requests = Timer.builder(metric + ".requests").description("how long bundle API requests took to answer")
                .serviceLevelObjectives(BUCKETS).register(registry);
        for (int status : KNOWN_STATUSES) {
            responses.put(status, responseCounter(status));
        }
    }

    private Counter responseCounter(int status) {
        return Counter.builder(metric + ".responses").description("bundle API answers by status")
                .tag("status", Integer.toString(status)).register(registry);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        long started = System.nanoTime();
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        boolean http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        BundleCall call = new BundleCall(request.method(), uri.path(), uri.parameters(), request.headers());

        AnswerOrder.writeInTurn(ctx.channel(), call.answer(), response -> send(ctx, response, keepAlive, http10, started),
                error -> {
                    log.debug("bundle API request {} failed: {}", LogText.escape(call.path()), error.toString());
                    ctx.close();
                });

        if (!request.decoderResult().isSuccess()) {
            call.answer(BundleAnswers.malformed());
            return;
        }
        ctx.fireChannelRead(call);
    }

    private void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive, boolean http10, long started) {
        responses.computeIfAbsent(response.status().code(), this::responseCounter).increment();
        requests.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        HttpUtil.setContentLength(response, response.content().readableBytes());
        if (keepAlive) {
            if (http10) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("bundle API connection error: {}", cause.toString());
        ctx.close();
    }
}
