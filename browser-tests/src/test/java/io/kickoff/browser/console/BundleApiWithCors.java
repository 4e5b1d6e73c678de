package io.kickoff.browser.console;

import io.kickoff.http.CrossOrigin;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The platform's bundle API behind a CORS handler that lets the console's origin read it: the test stands this in
 * front of the prefetch node so the console page (on the admin port) can fetch renderings cross-origin. Requests are
 * forwarded as they come (method GET, path, query, Accept) and answered with the node's status, type and body.
 */
final class BundleApiWithCors implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final HttpClient http = HttpClient.newHttpClient();
    private final Channel server;

    /**
     * @param origin  the console's origin, asked when a connection opens (known once the platform runs)
     * @param target  the bundle API's base URL, asked per request
     */
    BundleApiWithCors(Supplier<String> origin, Supplier<String> target) throws InterruptedException {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec());
                        CrossOrigin.handler(List.of(origin.get())).ifPresent(ch.pipeline()::addLast);
                        ch.pipeline().addLast(new HttpObjectAggregator(8192), new Forward(target));
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    String url() {
        return "http://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort();
    }

    private final class Forward extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Supplier<String> target;

        Forward(Supplier<String> target) {
            this.target = target;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            HttpRequest.Builder forward = HttpRequest.newBuilder(URI.create(target.get() + request.uri())).GET();
            String accept = request.headers().get(HttpHeaderNames.ACCEPT);
            if (accept != null) {
                forward.header("Accept", accept);
            }
            http.sendAsync(forward.build(), HttpResponse.BodyHandlers.ofByteArray()).whenComplete((answer, error) -> {
                FullHttpResponse response;
                if (error != null) {
                    response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_GATEWAY);
                } else {
                    response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                            HttpResponseStatus.valueOf(answer.statusCode()), Unpooled.wrappedBuffer(answer.body()));
                    answer.headers().firstValue("Content-Type")
                            .ifPresent(type -> response.headers().set(HttpHeaderNames.CONTENT_TYPE, type));
                }
                response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            });
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
