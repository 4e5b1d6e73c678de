package io.kickoff.testkit;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A certificate authority made for one test, and server certificates it issues for {@code localhost} and
 * {@code 127.0.0.1}, written as the PEM files a server is configured with and a client trusts.
 */
public final class TestCertificates {
    private final X509Bundle authority;

    private TestCertificates(X509Bundle authority) {
        this.authority = authority;
    }

    /** A new self-signed authority called {@code CN=name}. */
    public static TestCertificates authority(String name) {
        try {
            return new TestCertificates(new CertificateBuilder()
                    .subject("CN=" + name)
                    .notBefore(Instant.now().minus(1, ChronoUnit.DAYS))
                    .notAfter(Instant.now().plus(30, ChronoUnit.DAYS))
                    .ecp256()
                    .setIsCertificateAuthority(true)
                    .buildSelfSigned());
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a test certificate authority", e);
        }
    }

    /** The authority's certificate, as a client trusts it. */
    public X509Certificate certificate() {
        return authority.getCertificate();
    }

    /** Writes the authority's certificate (PEM) to {@code file}, for a client to trust; returns the file. */
    public Path writeTrust(Path file) {
        return write(file, authority.getCertificatePEM());
    }

    /** A client's TLS context trusting this authority only. */
    public SSLContext clientContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, authority.toTrustManagerFactory().getTrustManagers(), null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a client TLS context", e);
        }
    }

    /**
     * A TLS connection to {@code 127.0.0.1:port}, trusting this authority and checking the server's name as an HTTPS
     * client does, with its handshake done (a failed handshake throws).
     */
    public SSLSocket connect(int port) throws IOException {
        SSLSocket socket = (SSLSocket) clientContext().getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(30_000);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }

    /** The serial of the certificate the server of a connection presented. */
    public static BigInteger servedSerial(SSLSocket socket) throws IOException {
        return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }

    /** A server certificate with this serial for localhost and 127.0.0.1, issued by the authority. */
    public Issued issue(long serial) {
        try {
            return new Issued(new CertificateBuilder()
                    .subject("CN=localhost")
                    .serial(BigInteger.valueOf(serial))
                    .notBefore(Instant.now().minus(1, ChronoUnit.DAYS))
                    .notAfter(Instant.now().plus(30, ChronoUnit.DAYS))
                    .ecp256()
                    .addSanDnsName("localhost")
                    .addSanIpAddress("127.0.0.1")
                    .addExtendedKeyUsageServerAuth()
                    .buildIssuedBy(authority));
        } catch (Exception e) {
            throw new IllegalStateException("cannot issue a test certificate", e);
        }
    }

    /** A server certificate and its key. */
    public record Issued(X509Bundle bundle) {
        public BigInteger serial() {
            return bundle.getCertificate().getSerialNumber();
        }

        /** Writes the certificate (then the authority's) to {@code chain} and the PKCS#8 key to {@code key}. */
        public Issued writeTo(Path chain, Path key) {
            write(chain, bundle.getCertificatePathPEM());
            write(key, bundle.getPrivateKeyPEM());
            return this;
        }
    }

    /** Written whole, then moved in place, as a deployment replaces a file: a reader never sees half of it. */
    static Path write(Path file, String text) {
        try {
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".writing-", ".pem");
            Files.writeString(tmp, text, StandardCharsets.US_ASCII);
            return Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
