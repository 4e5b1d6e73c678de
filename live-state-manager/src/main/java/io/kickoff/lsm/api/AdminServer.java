package io.kickoff.lsm.api;

import io.kickoff.http.EdgeLimits;
import io.kickoff.http.HttpEdge;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API over HTTP/1.1 on Netty: the platform's {@link HttpEdge} (read timeouts, connection cap, request
 * guard; its refusals are problem documents), keep-alive, a bounded aggregator, then {@link AdminApiHandler}.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    /** Admin bodies are small; anything larger is refused with a 413 problem. */
    public static final int MAX_BODY_BYTES = 64 * 1024;
    /** Default cap on open connections: producers and operators are few. */
    public static final int DEFAULT_MAX_CONNECTIONS = 256;

    private final EventLoopGroup group;
    private final Channel channel;
    private final AdminApiHandler api;
    private final HttpEdge edge;

    private AdminServer(EventLoopGroup group, Channel channel, AdminApiHandler api, HttpEdge edge) {
        this.group = group;
        this.channel = channel;
        this.api = api;
        this.edge = edge;
    }

    /** Binds {@code host:port} (port 0: any free port) with the default edge limits. */
    public static AdminServer start(String host, int port, AdminApiHandler api) throws InterruptedException {
        return start(host, port, api, EdgeLimits.defaults(DEFAULT_MAX_CONNECTIONS));
    }

    /** Binds {@code host:port} (port 0: any free port) with two event loop threads of its own. */
    public static AdminServer start(String host, int port, AdminApiHandler api, EdgeLimits limits)
            throws InterruptedException {
        Objects.requireNonNull(api, "api");
        HttpEdge edge = new HttpEdge(limits, AdminApiHandler::refusal, api.retryAfter());
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            edge.install(ch.pipeline());
                            ch.pipeline()
                                    .addLast("keep-alive", new HttpServerKeepAliveHandler())
                                    .addLast("aggregate", new ProblemAggregator(api, MAX_BODY_BYTES))
                                    .addLast("api", api);
                        }
                    })
                    .bind(host, port).sync().channel();
            log.info("admin API listening on {}", channel.localAddress());
            return new AdminServer(group, channel, api, edge);
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS);
            throw e;
        }
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** Connections open now (the cap counts these). */
    public int openConnections() {
        return edge.openConnections();
    }

    public AdminApiHandler api() {
        return api;
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** The aggregator, answering an oversized request with a problem document instead of an empty 413. */
    private static final class ProblemAggregator extends HttpObjectAggregator {
        private final AdminApiHandler api;
        private final int maxBytes;

        ProblemAggregator(AdminApiHandler api, int maxBytes) {
            super(maxBytes);
            this.api = api;
            this.maxBytes = maxBytes;
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
            if (!(oversized instanceof HttpRequest request)) {
                super.handleOversizedMessage(ctx, oversized);
                return;
            }
            FullHttpResponse response = api.tooLarge(request, maxBytes);
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
