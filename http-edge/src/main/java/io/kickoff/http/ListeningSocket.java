package io.kickoff.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A server socket bound on the {@linkplain Transport#best() best transport} with event loops of its own, each accepted
 * connection set up by {@code initializer}; {@link #close()} unbinds it and stops its threads. How every HTTP port
 * of the platform (admin API, bundle API, an audience instance's probes) binds and stops.
 */
public final class ListeningSocket implements AutoCloseable {
    private final Transport transport;
    private final EventLoopGroup group;
    private final Channel channel;

    private ListeningSocket(Transport transport, EventLoopGroup group, Channel channel) {
        this.transport = transport;
        this.group = group;
        this.channel = channel;
    }

    /** Binds {@code host:port} (port 0: any free port) with the system's accept backlog. */
    public static ListeningSocket bind(String host, int port, int threads, String name, ChannelHandler initializer)
            throws InterruptedException {
        return bind(host, port, threads, name, NetUtil.SOMAXCONN, initializer);
    }

    /**
     * Binds {@code host:port} (port 0: any free port) with {@code threads} event loops named after {@code name} and
     * an accept backlog of {@code backlog}. If it cannot bind, its threads are stopped and the cause thrown.
     */
    public static ListeningSocket bind(String host, int port, int threads, String name, int backlog,
                                       ChannelHandler initializer) throws InterruptedException {
        Transport transport = Transport.best();
        EventLoopGroup group = transport.newGroup(threads, name);
        try {
            Channel channel = new ServerBootstrap().group(group).channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, backlog)
                    .childHandler(initializer)
                    .bind(host, port).sync().channel();
            return new ListeningSocket(transport, group, channel);
        } catch (Throwable e) {
            // Also a BindException, which sync() throws undeclared: a port taken must not leave threads behind.
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** The port bound (the one chosen when asked for 0). */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** {@code epoll} or {@code nio}, for the start-up line. */
    public String transportName() {
        return transport.name();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
