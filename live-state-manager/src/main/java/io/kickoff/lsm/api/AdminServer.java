package io.kickoff.lsm.api;

import io.kickoff.http.EdgeLimits;
import io.kickoff.http.HttpEdge;
import io.kickoff.http.ServerTls;
import io.kickoff.http.TlsFiles;
import io.kickoff.http.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API over HTTP/1.1 on Netty, on the machine's best transport (epoll where it loads): the pipeline of
 * {@link AdminInitializer} behind the platform's {@link HttpEdge}, whose refusals are problem documents.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    /** Admin bodies are small; anything larger is refused with a 413 problem. */
    public static final int MAX_BODY_BYTES = AdminInitializer.MAX_BODY_BYTES;
    /** Default cap on open connections: producers and operators are few. */
    public static final int DEFAULT_MAX_CONNECTIONS = 256;

    private final EventLoopGroup group;
    private final Channel channel;
    private final AdminApi api;
    private final HttpEdge edge;
    private final Optional<ServerTls> tls;

    private AdminServer(EventLoopGroup group, Channel channel, AdminApi api, HttpEdge edge, Optional<ServerTls> tls) {
        this.tls = tls;
        this.group = group;
        this.channel = channel;
        this.api = api;
        this.edge = edge;
    }

    /** Binds {@code host:port} (port 0: any free port) with the default edge limits. */
    public static AdminServer start(String host, int port, AdminApi api) throws InterruptedException {
        return start(host, port, api, EdgeLimits.defaults(DEFAULT_MAX_CONNECTIONS));
    }

    /** Binds {@code host:port} (port 0: any free port), no cross-origin callers, no bundle API for the console. */
    public static AdminServer start(String host, int port, AdminApi api, EdgeLimits limits)
            throws InterruptedException {
        return start(host, port, api, limits, BrowserAccess.none(), Optional.empty());
    }

    /**
     * Binds {@code host:port} (port 0: any free port) with two event loop threads of its own; serves the producer
     * console at {@code /console/} and lets {@code browser}'s origins call the API; on {@code https://} with
     * {@code tls} files if given.
     */
    public static AdminServer start(String host, int port, AdminApi api, EdgeLimits limits, BrowserAccess browser,
                                    Optional<TlsFiles> tls) throws InterruptedException {
        Objects.requireNonNull(api, "api");
        Objects.requireNonNull(browser, "browser");
        Optional<ServerTls> serverTls = tls.map(ServerTls::start);
        HttpEdge edge = new HttpEdge(limits, Problems::refusal, api.retryAfter(), serverTls);
        Transport transport = Transport.best();
        EventLoopGroup group = transport.newGroup(2, "admin-api");
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverChannel())
                    .childHandler(new AdminInitializer(edge, api, browser))
                    .bind(host, port).sync().channel();
            log.info("admin API listening on {} ({}{})", channel.localAddress(), transport.name(),
                    serverTls.isPresent() ? ", https" : "");
            return new AdminServer(group, channel, api, edge, serverTls);
        } catch (InterruptedException | RuntimeException e) {
            serverTls.ifPresent(ServerTls::close);
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

    public AdminApi api() {
        return api;
    }

    /** Every route served, as {@code METHOD /template}. */
    public List<String> routes() {
        return api.routes();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        tls.ifPresent(ServerTls::close);
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
