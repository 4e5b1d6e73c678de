package io.kickoff.audience.http;

import io.kickoff.http.EdgeLimits;
import io.kickoff.http.HttpEdge;
import io.kickoff.http.Probes;
import io.kickoff.http.Refusal;
import io.kickoff.http.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP port of an audience instance: {@code /healthz}, {@code /readyz} and {@code /metrics} (see
 * {@link ProbeAnswers}), behind the platform's {@link HttpEdge} (read timeouts, a connection cap of
 * {@value #MAX_CONNECTIONS}, the request guard), on one event-loop thread.
 */
public final class AudienceEndpoints implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AudienceEndpoints.class);
    static final int MAX_CONNECTIONS = 256;
    /** Probe requests have no body worth the name. */
    static final int MAX_REQUEST_BYTES = 4 * 1024;

    private final String host;
    private final int port;
    private final HttpEdge edge;
    private final ProbeAnswers answers;
    private EventLoopGroup group;
    private Channel channel;

    public AudienceEndpoints(String host, int port, Probes probes) {
        this.host = host;
        this.port = port;
        this.edge = new HttpEdge(EdgeLimits.defaults(MAX_CONNECTIONS), Refusal.plainText());
        this.answers = new ProbeAnswers(probes, edge.retryAfter());
    }

    /** Binds and returns the bound port. */
    public synchronized int start() throws InterruptedException {
        if (channel != null) {
            throw new IllegalStateException("already started");
        }
        Transport transport = Transport.best();
        group = transport.newGroup(1, "audience-http");
        try {
            channel = new ServerBootstrap().group(group).channel(transport.serverChannel())
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            edge.install(ch.pipeline());
                            ch.pipeline().addLast("aggregate", new HttpObjectAggregator(MAX_REQUEST_BYTES))
                                    .addLast("probes", answers);
                        }
                    })
                    .bind(host, port).sync().channel();
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            group = null;
            throw e;
        }
        int bound = ((InetSocketAddress) channel.localAddress()).getPort();
        log.info("audience probes listening on {}:{} ({})", host, bound, transport.name());
        return bound;
    }

    @Override
    public synchronized void close() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
            channel = null;
        }
        if (group != null) {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
            group = null;
        }
    }
}
