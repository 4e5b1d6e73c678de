package io.kickoff.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a TLS server finds its certificate and key, and how often it looks whether they changed.
 *
 * @param certificateChain PEM file: the server's certificate first, then the intermediates that
 *                         lead to a trusted root (as certbot's {@code fullchain.pem})
 * @param privateKey       PEM file: the certificate's private key, unencrypted PKCS#8
 *                         ({@code -----BEGIN PRIVATE KEY-----}, as certbot's {@code privkey.pem})
 * @param reloadCheck      how often the files' modification time, size and identity are compared with
 *                         those last loaded ({@link ServerTls} reloads them when they differ)
 */
public record TlsFiles(Path certificateChain, Path privateKey, Duration reloadCheck) {
    public static final Duration DEFAULT_RELOAD_CHECK = Duration.ofSeconds(5);

    private static final Pattern PEM_BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----", Pattern.DOTALL);
    /** Signature algorithms that prove a private key belongs to a certificate's public key. */
    private static final Map<String, String> PROOF = Map.of(
            "RSA", "SHA256withRSA", "EC", "SHA256withECDSA", "EdDSA", "EdDSA", "Ed25519", "Ed25519",
            "Ed448", "Ed448", "DSA", "SHA256withDSA");

    public TlsFiles {
        Objects.requireNonNull(certificateChain, "certificateChain");
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(reloadCheck, "reloadCheck");
        if (reloadCheck.isNegative() || reloadCheck.isZero()) {
            throw new IllegalArgumentException("reloadCheck must be positive, got " + reloadCheck);
        }
    }

    /** The two files, looked at every 5 seconds. */
    public static TlsFiles of(Path certificateChain, Path privateKey) {
        return new TlsFiles(certificateChain, privateKey, DEFAULT_RELOAD_CHECK);
    }

    public TlsFiles withReloadCheck(Duration every) {
        return new TlsFiles(certificateChain, privateKey, every);
    }

    /** The certificates of {@link #certificateChain()}, leaf first; a {@link TlsFileException} says what is wrong. */
    List<X509Certificate> readChain() {
        String text = read(certificateChain, "certificate chain");
        if (!text.contains("-----BEGIN CERTIFICATE-----")) {
            throw new TlsFileException(certificateChain, "holds no PEM certificate (want -----BEGIN CERTIFICATE-----)");
        }
        try {
            List<X509Certificate> chain = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)))
                    .stream().map(X509Certificate.class::cast).toList();
            if (chain.isEmpty()) {
                throw new TlsFileException(certificateChain, "holds no certificate");
            }
            return chain;
        } catch (CertificateException | RuntimeException e) {
            if (e instanceof TlsFileException tls) {
                throw tls;
            }
            throw new TlsFileException(certificateChain, "holds an unreadable certificate: " + TlsFileException.reason(e), e);
        }
    }

    /** The private key of {@link #privateKey()}, checked against the leaf certificate's public key. */
    PrivateKey readKey(X509Certificate leaf) {
        String text = read(privateKey, "private key");
        Matcher block = PEM_BLOCK.matcher(text);
        String type = null;
        String body = null;
        while (block.find()) {
            if (block.group(1).endsWith("PRIVATE KEY")) {
                type = block.group(1);
                body = block.group(2);
                break;
            }
        }
        if (type == null) {
            throw new TlsFileException(privateKey, "holds no PEM private key (want -----BEGIN PRIVATE KEY-----)");
        }
        if (!type.equals("PRIVATE KEY")) {
            throw new TlsFileException(privateKey, "holds a '" + type + "', not an unencrypted PKCS#8 key; convert it with "
                    + "openssl pkcs8 -topk8 -nocrypt -in " + privateKey + " -out key.pem");
        }
        PublicKey publicKey = leaf.getPublicKey();
        PrivateKey key;
        try {
            byte[] der = Base64.getMimeDecoder().decode(body.strip());
            key = KeyFactory.getInstance(publicKey.getAlgorithm()).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new TlsFileException(privateKey, "holds no readable " + publicKey.getAlgorithm()
                    + " private key (the certificate's key type): " + TlsFileException.reason(e), e);
        }
        requireSameKeyPair(key, publicKey);
        return key;
    }

    /** Signs a few bytes with the private key and verifies them with the certificate's public key. */
    private void requireSameKeyPair(PrivateKey key, PublicKey publicKey) {
        String algorithm = PROOF.get(publicKey.getAlgorithm());
        if (algorithm == null) {
            return; // a key type we cannot sign with here: the handshake will tell
        }
        boolean matches;
        try {
            byte[] probe = "kickoff".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(probe);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false;
        }
        if (!matches) {
            throw new TlsFileException(privateKey, "holds a private key that does not belong to the certificate in "
                    + certificateChain);
        }
    }

    private static String read(Path file, String what) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            throw new TlsFileException(file, "cannot be read as the " + what + ": " + TlsFileException.reason(e), e);
        }
    }
}
