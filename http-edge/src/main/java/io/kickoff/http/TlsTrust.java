package io.kickoff.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Whom a client of the platform trusts: the certificates of a PEM file (a private CA, or a server's own
 * self-signed certificate) instead of the JDK's trust store. For {@code java.net.http} ({@link #sslContext}) and
 * Netty clients ({@link #trustManagers}).
 */
public final class TlsTrust {
    private TlsTrust() {
    }

    /** Trust managers that accept exactly the certificates in {@code pem}; a {@link TlsFileException} says what is wrong. */
    public static TrustManagerFactory trustManagers(Path pem) {
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(pem)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException e) {
            throw new TlsFileException(pem, "cannot be read as certificates to trust: " + TlsFileException.reason(e), e);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new TlsFileException(pem, "holds an unreadable certificate: " + TlsFileException.reason(e), e);
        }
        if (certificates.isEmpty()) {
            throw new TlsFileException(pem, "holds no PEM certificate to trust (want -----BEGIN CERTIFICATE-----)");
        }
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int n = 0;
            for (Certificate certificate : certificates) {
                store.setCertificateEntry("trusted-" + n++, certificate);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot make trust managers of " + pem + ": " + e, e);
        }
    }

    /** A TLS context for {@code java.net.http.HttpClient.Builder.sslContext} trusting the certificates in {@code pem}. */
    public static SSLContext sslContext(Path pem) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trustManagers(pem).getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a TLS context trusting " + pem + ": " + e, e);
        }
    }
}
