package io.kickoff.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kickoff.testkit.RawHttpConnection;
import io.kickoff.testkit.TestCertificates;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** An HTTP server behind {@link HttpEdge} with TLS, asked by real TLS clients, on each provider. */
class HttpEdgeTlsTest {
    @TempDir
    Path dir;

    final TestCertificates authority = TestCertificates.authority("kickoff test CA");
    EventLoopGroup group;
    Channel server;
    HttpEdge edge;
    ServerTls tls;
    Path cert;
    Path key;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (tls != null) {
            tls.close();
        }
    }

    int start(SslProvider provider) throws Exception {
        Assumptions.assumeTrue(provider == SslProvider.JDK || OpenSsl.isAvailable(), "OpenSSL loads here");
        cert = dir.resolve("cert.pem");
        key = dir.resolve("key.pem");
        authority.issue(1).writeTo(cert, key);
        tls = ServerTls.load(TlsFiles.of(cert, key), provider);
        edge = new HttpEdge(EdgeLimits.defaults(16), Refusal.plainText(), RetryAfter.between(Duration.ofSeconds(1),
                Duration.ofSeconds(2)), Optional.of(tls));
        group = Transport.best().newGroup(1, "tls-test");
        server = new ServerBootstrap().group(group).channel(Transport.best().serverChannel())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        edge.install(ch.pipeline());
                        ch.pipeline().addLast(new HttpObjectAggregator(8192)).addLast(new Hello());
                    }
                }).bind("127.0.0.1", 0).sync().channel();
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Answers every request 200 "hello". */
    static final class Hello extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII));
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 5);
            ctx.writeAndFlush(response);
        }
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void anHttpsClientTrustingTheAuthorityIsServed(SslProvider provider) throws Exception {
        int port = start(provider);
        HttpClient client = HttpClient.newBuilder().sslContext(authority.clientContext()).build();
        HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/x"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("hello");
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void aClientThatDoesNotTrustTheCertificateFailsTheHandshakeAndItsConnectionIsClosed(SslProvider provider) throws Exception {
        int port = start(provider);
        HttpClient client = HttpClient.newBuilder().build(); // the JDK's trust store knows no test authority
        assertThatThrownBy(() -> client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/x")).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLHandshakeException.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> tls.handshakeFailures() == 1 && edge.openConnections() == 0);

        // The server is none the worse for it.
        try (SSLSocket trusted = authority.connect(port)) {
            assertThat(TestCertificates.servedSerial(trusted)).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void plainHttpToTheTlsPortIsAnswered400AndClosed(SslProvider provider) throws Exception {
        int port = start(provider);
        String received = RawHttpConnection.exchange(port, "GET /x HTTP/1.1\r\nHost: a\r\n\r\n", Duration.ofSeconds(10));
        assertThat(RawHttpConnection.status(received)).isEqualTo(400);
        assertThat(RawHttpConnection.body(received)).contains("use https://");
        await().atMost(Duration.ofSeconds(10)).until(() -> edge.openConnections() == 0);
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void afterAReloadNewConnectionsGetTheNewCertificateAndOpenOnesKeepWorking(SslProvider provider) throws Exception {
        int port = start(provider);
        try (SSLSocket before = authority.connect(port)) {
            assertThat(ask(before)).isEqualTo("HTTP/1.1 200 OK");
            authority.issue(2).writeTo(cert, key);
            assertThat(tls.reloadIfChanged()).isEqualTo(ServerTls.Reload.RELOADED);

            try (SSLSocket after = authority.connect(port)) {
                assertThat(TestCertificates.servedSerial(after)).isEqualTo(2);
                assertThat(ask(after)).isEqualTo("HTTP/1.1 200 OK");
            }
            assertThat(TestCertificates.servedSerial(before)).isEqualTo(1);
            assertThat(ask(before)).as("an open connection keeps working").isEqualTo("HTTP/1.1 200 OK");

            Files.writeString(cert, "broken");
            assertThat(tls.reloadIfChanged()).isEqualTo(ServerTls.Reload.KEPT_OLD);
            try (SSLSocket afterBroken = authority.connect(port)) {
                assertThat(TestCertificates.servedSerial(afterBroken)).isEqualTo(2);
            }
        }
    }

    /** One keep-alive request on the connection; the status line of its answer. */
    private static String ask(SSLSocket socket) throws Exception {
        socket.getOutputStream().write("GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        String status = in.readLine();
        // Headers, the blank line and the 5-byte body.
        while (!in.readLine().isEmpty()) {
            // skip
        }
        char[] body = new char[5];
        int read = 0;
        while (read < 5) {
            read += in.read(body, read, 5 - read);
        }
        return status;
    }
}
