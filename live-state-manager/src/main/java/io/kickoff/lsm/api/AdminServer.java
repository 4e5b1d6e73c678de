package io.kickoff.lsm.api;

import io.kickoff.http.ListeningSocket;
import io.kickoff.http.EdgeLimits;
import io.kickoff.http.HttpEdge;
import io.kickoff.http.ServerTls;
import io.kickoff.http.TlsFiles;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
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

    private final ListeningSocket socket;
    private final AdminApi api;
    private final HttpEdge edge;
    private final Optional<ServerTls> tls;

    private AdminServer(ListeningSocket socket, AdminApi api, HttpEdge edge, Optional<ServerTls> tls) {
        this.tls = tls;
        this.socket = socket;
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
        try {
            ListeningSocket socket = ListeningSocket.bind(host, port, 2, "admin-api", new AdminInitializer(edge, api, browser));
            log.info("admin API listening on {}:{} ({}{})", host, socket.port(), socket.transportName(),
                    serverTls.isPresent() ? ", https" : "");
            return new AdminServer(socket, api, edge, serverTls);
        } catch (Throwable e) { // a BindException too, thrown undeclared
            serverTls.ifPresent(ServerTls::close);
            throw e;
        }
    }

    public int port() {
        return socket.port();
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
        socket.close();
        tls.ifPresent(ServerTls::close);
    }
}
