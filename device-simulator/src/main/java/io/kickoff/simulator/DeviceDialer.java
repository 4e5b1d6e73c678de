package io.kickoff.simulator;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.random.RandomGenerator;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/** Opens a device's TCP connection and starts its WebSocket upgrade, carrying the token the configured way. */
final class DeviceDialer {
    /** Receive buffer of a slow reader's socket, bytes (the kernel may round it up). */
    static final int SLOW_READER_RECEIVE_BUFFER = 4096;

    private final FleetConfig config;
    private final Bootstrap template;
    private final List<GatewayEndpoint> gateways;
    /** The TLS client context of wss:// gateways (one per fleet: it holds the session cache); null without any. */
    private final SslContext tls;

    DeviceDialer(FleetConfig config, EventLoopGroup group, IoTransport transport) {
        this.config = config;
        this.tls = config.gateways().stream().anyMatch(FleetConfig::isTls) ? clientTls(config.tlsTrust()) : null;
        this.gateways = config.gateways().stream().map(GatewayEndpoint::resolve).toList();
        this.template = new Bootstrap()
                .group(group)
                .channel(transport.socketChannelType())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.handshakeTimeout().toMillis());
    }

    /** The gateway a device dials first: its index modulo the number of gateways, so a fleet starts spread evenly. */
    int firstGateway(int deviceIndex) {
        return Math.floorMod(deviceIndex, gateways.size());
    }

    /** After a failure or a lost connection: the next gateway in the list, so a dead node's devices land on the others. */
    int nextGateway(int current) {
        return Math.floorMod(current + 1, gateways.size());
    }

    /**
     * After a go-away: any gateway but the one that sent the device away, at random, so a draining
     * node's devices spread over all the others instead of piling onto one.
     */
    int otherGateway(int current, RandomGenerator random) {
        int n = gateways.size();
        if (n == 1) {
            return 0;
        }
        int pick = random.nextInt(n - 1);
        return pick >= current ? pick + 1 : pick;
    }

    GatewayEndpoint gateway(int slot) {
        return gateways.get(slot);
    }

    /** Starts connecting on the device's own event loop; the returned future covers TCP connect only. */
    ChannelFuture dial(SimulatedDevice device, DeviceConnection connection, String token, EventLoop loop) {
        Bootstrap bootstrap = template.clone(loop)
                .handler(new DeviceChannelInitializer(device, connection,
                        handshakeConfig(connection.endpoint.uri(), token), config.wireFormat(),
                        FleetConfig.isTls(connection.endpoint.uri()) ? tls : null));
        if (device.misbehaviour().orElse(null) == Misbehaviour.SLOW_READER) {
            // A small window: the gateway's socket buffer fills after a few KiB instead of megabytes.
            bootstrap.option(ChannelOption.SO_RCVBUF, SLOW_READER_RECEIVE_BUFFER);
        }
        List<InetAddress> locals = config.localAddresses();
        InetSocketAddress remote = connection.endpoint.address();
        if (locals.isEmpty()) {
            return bootstrap.connect(remote);
        }
        InetAddress local = locals.get(device.index() % locals.size());
        return bootstrap.connect(remote, new InetSocketAddress(local, 0));
    }

    /** Trusting {@code trust}, or the JDK's trust store if null; the gateway's name is checked as HTTPS does. */
    static SslContext clientTls(TrustManagerFactory trust) {
        try {
            return SslContextBuilder.forClient().trustManager(trust).endpointIdentificationAlgorithm("HTTPS").build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot make the devices' TLS context: " + e.getMessage(), e);
        }
    }

    private WebSocketClientProtocolConfig handshakeConfig(URI endpoint, String token) {
        HttpHeaders headers = new DefaultHttpHeaders();
        URI uri = endpoint;
        if (token != null) {
            if (config.tokenTransport() == TokenTransport.AUTHORIZATION_HEADER) {
                headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + token);
            } else {
                uri = withTokenQuery(endpoint, token);
            }
        }
        return WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(uri)
                .version(WebSocketVersion.V13)
                .subprotocol(config.wireFormat().subprotocol())
                .customHeaders(headers)
                .maxFramePayloadLength(DeviceChannelInitializer.MAX_FRAME_BYTES)
                // CloseFrameObserver answers close frames, after noting their code.
                .handleCloseFrames(false)
                .handshakeTimeoutMillis(config.handshakeTimeout().toMillis())
                .build();
    }

    static URI withTokenQuery(URI endpoint, String token) {
        String param = "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
        String query = endpoint.getRawQuery();
        String base = endpoint.toString();
        int fragment = base.indexOf('#');
        if (fragment >= 0) {
            base = base.substring(0, fragment);
        }
        return URI.create(base + (query == null ? "?" : "&") + param);
    }
}
