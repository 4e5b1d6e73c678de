package io.kickoff.audience.http;

import io.kickoff.http.ListeningSocket;
import io.kickoff.http.EdgeLimits;
import io.kickoff.http.HttpEdge;
import io.kickoff.http.Probes;
import io.kickoff.http.Refusal;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
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
    private ListeningSocket socket;

    public AudienceEndpoints(String host, int port, Probes probes) {
        this.host = host;
        this.port = port;
        this.edge = new HttpEdge(EdgeLimits.defaults(MAX_CONNECTIONS), Refusal.plainText());
        this.answers = new ProbeAnswers(probes, edge.retryAfter());
    }

    /** Binds and returns the bound port. */
    public synchronized int start() throws InterruptedException {
        if (socket != null) {
            throw new IllegalStateException("already started");
        }
        socket = ListeningSocket.bind(host, port, 1, "audience-http", new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                edge.install(ch.pipeline());
                ch.pipeline().addLast("aggregate", new HttpObjectAggregator(MAX_REQUEST_BYTES))
                        .addLast("probes", answers);
            }
        });
        log.info("audience probes listening on {}:{} ({})", host, socket.port(), socket.transportName());
        return socket.port();
    }

    @Override
    public synchronized void close() {
        if (socket != null) {
            socket.close();
            socket = null;
        }
    }
}
