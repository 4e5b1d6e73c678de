package io.kickoff.browser;

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
 * Test pages served by {@link StaticAssets} on 127.0.0.1 and a free port: an origin of their own, other than the
 * platform's, as an app's pages would be.
 */
public final class TestPages implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final String prefix;
    private final Channel server;

    /** Serves {@code assets}, whose prefix is {@code prefix} (e.g. {@code /test/}). */
    public TestPages(String prefix, StaticAssets assets) throws InterruptedException {
        this.prefix = prefix;
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192), assets);
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    /**
     * The SDK's test pages ({@code src/test/resources/sdk/}, e.g. {@code device.html} for {@link DevicePage}) and the
     * SDK as the bundle API's jar packages it ({@code sdk/kickoff-device.js}), under {@code /test/}.
     */
    public static TestPages sdk() throws InterruptedException {
        return new TestPages("/test/", StaticAssets.builder("/test/")
                .classpath("sdk/", "io/kickoff/prefetch/sdk/")
                .classpath("", "sdk/")
                .build());
    }

    /** {@code http://127.0.0.1:PORT}: what a bundle API must allow (CORS) for these pages to fetch from it. */
    public String origin() {
        return "http://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort();
    }

    public String page(String name) {
        return origin() + prefix + name;
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
