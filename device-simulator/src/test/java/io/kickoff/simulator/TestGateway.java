package io.kickoff.simulator;

import io.kickoff.protocol.MalformedFrameException;
import io.kickoff.protocol.Timestamps;
import io.kickoff.protocol.WireFormat;
import io.kickoff.protocol.token.DeviceClaims;
import io.kickoff.protocol.token.DeviceTokens;
import io.kickoff.protocol.token.TokenException;
import io.kickoff.protocol.v1.ClientFrame;
import io.kickoff.protocol.v1.Hello;
import io.kickoff.protocol.v1.ServerFrame;
import io.kickoff.protocol.v1.Welcome;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A stand-in gateway for testing the simulator before the real one exists: authenticates the
 * upgrade with device tokens (401 without a valid one), answers hello with a welcome, lets the
 * test push server frames, and records every client frame it receives.
 */
final class TestGateway implements AutoCloseable {
    static final String SECRET = "device-simulator-test-secret-0123456789";
    private static final AttributeKey<String> DEVICE_ID = AttributeKey.valueOf("kickoff.test.deviceId");
    private static final AttributeKey<WireFormat> FORMAT = AttributeKey.valueOf("kickoff.test.format");

    /** One client frame as the gateway saw it. */
    record Received(String deviceId, WireFormat format, InetSocketAddress remote, ClientFrame frame) {
    }

    private final DeviceTokens tokens = DeviceTokens.withSecret(SECRET);
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final ChannelGroup sessions = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final Queue<Received> received = new ConcurrentLinkedQueue<>();
    private final Channel server;
    private volatile Function<Hello, Welcome> welcomeFor =
            hello -> Welcome.newBuilder().setServerTime(Timestamps.of(Instant.now())).build();

    TestGateway() throws InterruptedException {
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(64 * 1024))
                                .addLast(new UpgradeAuthenticator())
                                .addLast(new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                                        .websocketPath(FleetConfig.CONNECT_PATH)
                                        .checkStartsWith(true)
                                        .subprotocols(WireFormat.allSubprotocols())
                                        .build()))
                                .addLast(new ClientFrames());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    URI uri() {
        InetSocketAddress address = (InetSocketAddress) server.localAddress();
        return URI.create("ws://127.0.0.1:" + address.getPort());
    }

    DeviceTokens tokens() {
        return tokens;
    }

    /** How the gateway answers each hello from now on. */
    void welcomeWith(Function<Hello, Welcome> welcome) {
        this.welcomeFor = welcome;
    }

    int sessionCount() {
        return sessions.size();
    }

    void push(ServerFrame frame) {
        pushTo(deviceId -> true, frame);
    }

    void pushTo(Predicate<String> deviceIds, ServerFrame frame) {
        for (Channel session : sessions) {
            if (deviceIds.test(session.attr(DEVICE_ID).get())) {
                session.writeAndFlush(encode(session.attr(FORMAT).get(), frame));
            }
        }
    }

    /** Drops every session without a close frame, as a crashed gateway would. */
    void dropAllSessions() {
        for (Channel session : sessions) {
            session.close();
        }
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    List<Received> received(ClientFrame.FrameCase kind) {
        return received.stream().filter(r -> r.frame().getFrameCase() == kind).toList();
    }

    private static WebSocketFrame encode(WireFormat format, ServerFrame frame) {
        byte[] bytes = format.encode(frame);
        return format.isText()
                ? new TextWebSocketFrame(Unpooled.wrappedBuffer(bytes))
                : new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes));
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        sessions.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Refuses an upgrade without a valid device token, before any WebSocket exists. */
    private final class UpgradeAuthenticator extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof FullHttpRequest request)) {
                ctx.fireChannelRead(msg);
                return;
            }
            String token = bearerToken(request);
            if (token == null) {
                List<String> query = new QueryStringDecoder(request.uri()).parameters().get("token");
                token = query == null || query.isEmpty() ? null : query.get(0);
            }
            try {
                DeviceClaims claims = tokens.verify(token);
                ctx.channel().attr(DEVICE_ID).set(claims.deviceId());
                ctx.pipeline().remove(this);
                ctx.fireChannelRead(request);
            } catch (TokenException e) {
                request.release();
                FullHttpResponse refusal = new DefaultFullHttpResponse(request.protocolVersion(),
                        HttpResponseStatus.UNAUTHORIZED);
                refusal.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                refusal.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
                ctx.writeAndFlush(refusal).addListener(ChannelFutureListener.CLOSE);
            }
        }

        private static String bearerToken(FullHttpRequest request) {
            String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
            return header != null && header.startsWith("Bearer ") ? header.substring("Bearer ".length()) : null;
        }
    }

    /** Records client frames and answers hello with a welcome. */
    private final class ClientFrames extends SimpleChannelInboundHandler<WebSocketFrame> {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete handshake) {
                ctx.channel().attr(FORMAT).set(WireFormat.forSubprotocol(handshake.selectedSubprotocol()).orElseThrow());
                sessions.add(ctx.channel());
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame msg) throws MalformedFrameException {
            WireFormat format = ctx.channel().attr(FORMAT).get();
            ClientFrame frame = format.decodeClientFrame(ByteBufUtil.getBytes(msg.content()));
            received.add(new Received(ctx.channel().attr(DEVICE_ID).get(), format,
                    (InetSocketAddress) ctx.channel().remoteAddress(), frame));
            if (frame.hasHello()) {
                ctx.writeAndFlush(encode(format, ServerFrame.newBuilder()
                        .setWelcome(welcomeFor.apply(frame.getHello())).build()));
            }
        }
    }
}
