package io.kickoff.browser.sdk;

import io.kickoff.http.StaticAssets;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The test pages ({@code src/test/resources/sdk/}) and the SDK as the bundle API's jar packages it, under
 * {@code /test/} on an origin of their own: a page of another origin than the bundle API, as an app's would be.
 */
final class TestPages implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;

    TestPages() throws InterruptedException {
        StaticAssets assets = StaticAssets.builder("/test/")
                .classpath("sdk/", "io/kickoff/prefetch/sdk/")
                .classpath("", "sdk/")
                .build();
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192), assets);
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    String origin() {
        return "http://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort();
    }

    String page(String name) {
        return origin() + "/test/" + name;
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
