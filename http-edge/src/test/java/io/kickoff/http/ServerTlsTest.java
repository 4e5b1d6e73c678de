package io.kickoff.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.kickoff.testkit.TestCertificates;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class ServerTlsTest {
    @TempDir
    Path dir;

    final TestCertificates authority = TestCertificates.authority("kickoff test CA");
    final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    Path cert;
    Path key;

    @BeforeEach
    void setUp() {
        cert = dir.resolve("cert.pem");
        key = dir.resolve("key.pem");
        authority.issue(1).writeTo(cert, key);
        logged.start();
        ((Logger) LoggerFactory.getLogger(ServerTls.class)).addAppender(logged);
    }

    @AfterEach
    void tearDown() {
        ((Logger) LoggerFactory.getLogger(ServerTls.class)).detachAppender(logged);
    }

    TlsFiles files() {
        return TlsFiles.of(cert, key);
    }

    @Test
    void onLinuxX8664TheServerRunsOnOpenSsl() {
        boolean linuxX64 = System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux")
                && System.getProperty("os.arch").equals("amd64");
        org.junit.jupiter.api.Assumptions.assumeTrue(linuxX64, "netty-tcnative is shipped for Linux x86_64");
        assertThat(OpenSsl.isAvailable()).as("netty-tcnative-boringssl-static loads").isTrue();
        try (ServerTls tls = ServerTls.start(files())) {
            assertThat(tls.provider()).isEqualTo(SslProvider.OPENSSL);
            assertThat(tls.certificate().getSerialNumber()).isEqualTo(1);
        }
        assertThat(messages()).anySatisfy(m -> assertThat(m).startsWith("TLS on OpenSSL (BoringSSL"));
    }

    @Test
    void aMissingCertificateFileIsNamedWithWhatIsWrong() throws Exception {
        Files.delete(cert);
        assertThatThrownBy(() -> ServerTls.check(files()))
                .isInstanceOf(TlsFileException.class)
                .hasMessageStartingWith(cert + " cannot be read as the certificate chain: NoSuchFileException")
                .satisfies(e -> assertThat(((TlsFileException) e).file()).isEqualTo(cert));
    }

    @Test
    void aCertificateFileWithoutACertificateIsRefused() throws Exception {
        Files.writeString(cert, "not a certificate\n");
        assertThatThrownBy(() -> ServerTls.check(files()))
                .isInstanceOf(TlsFileException.class)
                .hasMessage(cert + " holds no PEM certificate (want -----BEGIN CERTIFICATE-----)");
    }

    @Test
    void aDamagedCertificateIsRefused() throws Exception {
        Files.writeString(cert, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> ServerTls.check(files()))
                .isInstanceOf(TlsFileException.class)
                .hasMessageStartingWith(cert + " holds an unreadable certificate: CertificateException");
    }

    @Test
    void aKeyOfAnotherCertificateIsRefused() {
        Path otherKey = dir.resolve("other-key.pem");
        authority.issue(2).writeTo(dir.resolve("other-cert.pem"), otherKey);
        assertThatThrownBy(() -> ServerTls.check(TlsFiles.of(cert, otherKey)))
                .isInstanceOf(TlsFileException.class)
                .hasMessage(otherKey + " holds a private key that does not belong to the certificate in " + cert);
    }

    @Test
    void aKeyFileWithoutAKeyOrWithAnotherFormatIsRefusedWithHowToConvert() throws Exception {
        Files.writeString(key, Files.readString(cert));
        assertThatThrownBy(() -> ServerTls.check(files()))
                .isInstanceOf(TlsFileException.class)
                .hasMessage(key + " holds no PEM private key (want -----BEGIN PRIVATE KEY-----)");

        Files.writeString(key, "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
        assertThatThrownBy(() -> ServerTls.check(files()))
                .isInstanceOf(TlsFileException.class)
                .hasMessageStartingWith(key + " holds a 'EC PRIVATE KEY', not an unencrypted PKCS#8 key; convert it with "
                        + "openssl pkcs8 -topk8 -nocrypt");
    }

    @Test
    void changedFilesAreReadAgainAndServedToNewConnections() {
        try (ServerTls tls = ServerTls.load(files(), SslProvider.JDK)) {
            assertThat(tls.reloadIfChanged()).isEqualTo(ServerTls.Reload.UNCHANGED);

            authority.issue(2).writeTo(cert, key);
            assertThat(tls.reloadIfChanged()).isEqualTo(ServerTls.Reload.RELOADED);
            assertThat(tls.certificate().getSerialNumber()).isEqualTo(2);
            assertThat(tls.reloadIfChanged()).isEqualTo(ServerTls.Reload.UNCHANGED);
            assertThat(servedSerial(tls)).isEqualTo(2);
        }
        assertThat(messages()).anySatisfy(m -> assertThat(m).contains("TLS certificate reloaded from " + cert + ": serial 2"));
    }

    @Test
    void aBrokenReplacementKeepsTheOldCertificateAndIsLoggedOnce() throws Exception {
        try (ServerTls tls = ServerTls.load(files(), SslProvider.JDK)) {
            Files.writeString(cert, "-----BEGIN CERTIFICATE-----\ntruncated");
            assertThat(tls.reloadIfChanged()).isEqualTo(ServerTls.Reload.KEPT_OLD);
            assertThat(tls.reloadIfChanged()).as("the same broken files are not read again").isEqualTo(ServerTls.Reload.UNCHANGED);
            assertThat(tls.certificate().getSerialNumber()).isEqualTo(1);
            assertThat(servedSerial(tls)).isEqualTo(1);
            assertThat(logged.list).filteredOn(e -> e.getLevel() == Level.WARN).singleElement()
                    .satisfies(e -> assertThat(e.getFormattedMessage()).startsWith(
                            "TLS files changed but cannot be used, keeping certificate serial 1: TlsFileException: " + cert));

            authority.issue(3).writeTo(cert, key);
            assertThat(tls.reloadIfChanged()).as("repaired files are used").isEqualTo(ServerTls.Reload.RELOADED);
            assertThat(servedSerial(tls)).isEqualTo(3);
        }
    }

    @Test
    void theReloadThreadPicksUpReplacedFiles() {
        try (ServerTls tls = ServerTls.start(files().withReloadCheck(Duration.ofMillis(50)))) {
            authority.issue(7).writeTo(cert, key);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> tls.certificate().getSerialNumber().intValue() == 7);
        }
    }

    @Test
    void plainHttpToTheTlsPortIsAnswered400AndClosed() {
        try (ServerTls tls = ServerTls.load(files(), SslProvider.JDK)) {
            EmbeddedChannel server = new EmbeddedChannel();
            tls.addTo(server.pipeline());
            EdgeChannels.writeText(server, "GET /v1/events HTTP/1.1\r\nHost: a\r\n\r\n");
            ByteBuf answer = server.readOutbound();
            try {
                assertThat(answer.toString(StandardCharsets.US_ASCII))
                        .startsWith("HTTP/1.1 400 Bad Request\r\n")
                        .contains("Connection: close\r\n")
                        .endsWith("this port speaks TLS only: use https:// (or wss:// for devices)\n");
            } finally {
                answer.release();
            }
            assertThat(server.isOpen()).isFalse();
            assertThat((Object) server.readInbound()).as("nothing reaches the server's handlers").isNull();
            server.finishAndReleaseAll();
        }
    }

    @Test
    void aClientHelloTurnsTheFirstHandlerIntoTheSslHandlerOfTheCurrentCertificate() throws Exception {
        try (ServerTls tls = ServerTls.load(files(), SslProvider.JDK)) {
            EmbeddedChannel server = new EmbeddedChannel();
            tls.addTo(server.pipeline());
            EmbeddedChannel client = client();
            shuttle(client, server);
            assertThat(server.pipeline().get("tls")).isInstanceOf(SslHandler.class);
            assertThat(server.pipeline().names()).startsWith("tls", "tls-failures");
            SslHandler clientSsl = client.pipeline().get(SslHandler.class);
            assertThat(clientSsl.handshakeFuture().isSuccess()).isTrue();
            assertThat(((X509Certificate) clientSsl.engine().getSession().getPeerCertificates()[0]).getSerialNumber())
                    .isEqualTo(1);
            client.finishAndReleaseAll();
            server.finishAndReleaseAll();
        }
    }

    @Test
    void aFailedHandshakeIsCountedAndClosesTheConnectionWithoutReachingThePipelinesEnd() throws Exception {
        try (ServerTls tls = ServerTls.load(files(), SslProvider.JDK)) {
            EmbeddedChannel server = new EmbeddedChannel();
            tls.addTo(server.pipeline());
            // A client that trusts another authority.
            SslContext stranger = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                    .trustManager(TestCertificates.authority("another CA").certificate()).build();
            EmbeddedChannel client = new EmbeddedChannel(stranger.newHandler(io.netty.buffer.ByteBufAllocator.DEFAULT));
            shuttle(client, server);
            assertThat(tls.handshakeFailures()).isEqualTo(1);
            assertThat(server.isOpen()).isFalse();
            server.checkException(); // nothing reached the tail of the pipeline
            client.finishAndReleaseAll();
            server.finishAndReleaseAll();
        }
    }

    private EmbeddedChannel client() throws Exception {
        SslContext context = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                .trustManager(authority.certificate()).build();
        return new EmbeddedChannel(context.newHandler(io.netty.buffer.ByteBufAllocator.DEFAULT, "localhost", 443));
    }

    /** The serial a new connection's handshake presents, over two embedded channels. */
    private long servedSerial(ServerTls tls) {
        try {
            EmbeddedChannel server = new EmbeddedChannel();
            tls.addTo(server.pipeline());
            EmbeddedChannel client = client();
            shuttle(client, server);
            SslHandler clientSsl = client.pipeline().get(SslHandler.class);
            long serial = ((X509Certificate) clientSsl.engine().getSession().getPeerCertificates()[0])
                    .getSerialNumber().longValueExact();
            client.finishAndReleaseAll();
            server.finishAndReleaseAll();
            return serial;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Passes bytes both ways until neither side has anything more to say. */
    private static void shuttle(EmbeddedChannel client, EmbeddedChannel server) {
        for (int round = 0; round < 20; round++) {
            boolean moved = pass(client, server) | pass(server, client);
            client.runPendingTasks();
            server.runPendingTasks();
            if (!moved) {
                return;
            }
        }
    }

    private static boolean pass(EmbeddedChannel from, EmbeddedChannel to) {
        boolean moved = false;
        for (Object o; (o = from.readOutbound()) != null; ) {
            moved = true;
            if (to.isOpen()) {
                try {
                    to.writeInbound(o);
                } catch (io.netty.handler.codec.DecoderException e) {
                    // the client's side of a failed handshake: it has no handler that catches it
                }
            } else {
                ReferenceCountUtil.release(o);
            }
        }
        for (Object o; (o = to.readInbound()) != null; ) {
            ReferenceCountUtil.release(o);
        }
        return moved;
    }

    private java.util.List<String> messages() {
        return logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
}
