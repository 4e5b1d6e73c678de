package io.kickoff.launcher;

import io.kickoff.http.ServerTls;
import io.kickoff.http.TlsFileException;
import io.kickoff.http.TlsFiles;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code --tls-cert} and {@code --tls-key} of the commands that listen ({@code serve}, {@code gateway}, {@code lsm},
 * {@code prefetch}): with both, every listener of the command speaks TLS ({@code wss://}, {@code https://}).
 */
final class TlsOptions {
    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "PEM certificate chain (the server's certificate first, then intermediates, as certbot's "
                    + "fullchain.pem): the listeners speak TLS (wss://, https://). Re-read when it changes.")
    Path certificateChain;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "PEM private key of --tls-cert, unencrypted PKCS#8 (-----BEGIN PRIVATE KEY-----, as certbot's "
                    + "privkey.pem). Re-read when it changes.")
    Path privateKey;

    /**
     * The files, read once now so that a bad one is a usage error (exit 2) naming the file and what is wrong;
     * empty without the options.
     */
    Optional<TlsFiles> files(CommandSpec spec) {
        if (certificateChain == null && privateKey == null) {
            return Optional.empty();
        }
        if (certificateChain == null || privateKey == null) {
            throw new ParameterException(spec.commandLine(), "--tls-cert and --tls-key go together (a certificate "
                    + "chain and its private key, both PEM)");
        }
        TlsFiles files = TlsFiles.of(certificateChain, privateKey);
        try {
            ServerTls.check(files);
        } catch (TlsFileException e) {
            throw new ParameterException(spec.commandLine(), "cannot use TLS files: " + e.getMessage());
        }
        return Optional.of(files);
    }

    /** {@code ws}/{@code wss} or {@code http}/{@code https}, by whether TLS is on. */
    static String scheme(Optional<TlsFiles> tls, String plain) {
        return tls.isPresent() ? plain + "s" : plain;
    }
}
