package io.kickoff.http;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS side of one server: its certificate and key from PEM files ({@link TlsFiles}), on OpenSSL (BoringSSL,
 * netty-tcnative) where the native library loads, else on the JDK's provider. The files are looked at every
 * {@link TlsFiles#reloadCheck()} on a thread of its own, never on an event loop; when they changed, they are read
 * again and the new certificate replaces the old one for new connections (open ones keep the one they shook hands
 * with). A replacement that cannot be used (unreadable, no certificate, a key that does not belong to it) is logged
 * once and the old certificate stays.
 *
 * <p>{@link #addTo(ChannelPipeline)} puts two handlers first in a pipeline: {@code tls}, which answers a plain-HTTP
 * request with 400 and closes (as nginx does) and otherwise becomes the {@link SslHandler} of the certificate
 * current at the connection's first bytes; and {@code tls-failures}, which closes a connection whose handshake
 * failed (counted, logged at DEBUG) instead of letting the failure reach the end of the pipeline.
 */
public final class ServerTls implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServerTls.class);

    /** What a reload check found. */
    public enum Reload { UNCHANGED, RELOADED, KEPT_OLD }

    /** A certificate in use: the context new connections get, its leaf, and the files' stamp it was read from. */
    private record Served(SslContext context, X509Certificate certificate, FileStamp stamp) {
    }

    /** What the files look like on disk; a difference means they were written or replaced. */
    private record FileStamp(Object certificate, Object key) {
        static FileStamp of(TlsFiles files) {
            return new FileStamp(look(files.certificateChain()), look(files.privateKey()));
        }

        private static Object look(Path file) {
            try {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                return List.of(a.lastModifiedTime(), a.size(), String.valueOf(a.fileKey()));
            } catch (IOException e) {
                return "unreadable: " + e;
            }
        }
    }

    private final TlsFiles files;
    private final SslProvider provider;
    private final TlsFailures failures = new TlsFailures();
    private final AtomicLong handshakeFailures = new AtomicLong();
    private volatile Served served;
    /** The stamp of the last replacement that could not be used: logged once, tried again only when it changes. */
    private FileStamp refused;
    private ScheduledExecutorService reloads;

    private ServerTls(TlsFiles files, SslProvider provider) {
        this.files = files;
        this.provider = provider;
        this.served = read(files, provider);
    }

    /**
     * Reads the files (a {@link TlsFileException} naming the file says what is wrong) and starts looking for
     * changes every {@link TlsFiles#reloadCheck()}. Close it with the server.
     */
    public static ServerTls start(TlsFiles files) {
        ServerTls tls = load(files, bestProvider());
        tls.startReloading();
        return tls;
    }

    /** Reads the files once, as {@link #start} does, and forgets them: for a settings check before start-up. */
    public static void check(TlsFiles files) {
        read(files, bestProvider());
    }

    /** The files on the given provider, without the reload thread (tests drive {@link #reloadIfChanged()}). */
    static ServerTls load(TlsFiles files, SslProvider provider) {
        ServerTls tls = new ServerTls(Objects.requireNonNull(files, "files"), provider);
        X509Certificate leaf = tls.served.certificate();
        log.info("TLS on {}: certificate {} (serial {}, valid until {}) from {}", describe(provider),
                leaf.getSubjectX500Principal().getName(), leaf.getSerialNumber().toString(16), leaf.getNotAfter().toInstant(),
                files.certificateChain());
        return tls;
    }

    /** OpenSSL where netty-tcnative's library loads on this machine, else the JDK's provider. */
    static SslProvider bestProvider() {
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    private static String describe(SslProvider provider) {
        return provider == SslProvider.JDK
                ? "the JDK's provider" + (OpenSsl.isAvailable() ? "" : " (OpenSSL unavailable: "
                        + TlsFileException.reason(OpenSsl.unavailabilityCause()) + ")")
                : "OpenSSL (" + OpenSsl.versionString() + ")";
    }

    private static Served read(TlsFiles files, SslProvider provider) {
        FileStamp stamp = FileStamp.of(files);
        List<X509Certificate> chain = files.readChain();
        PrivateKey key = files.readKey(chain.get(0));
        X509Certificate leaf = chain.get(0);
        if (leaf.getNotAfter().toInstant().isBefore(Instant.now())) {
            log.warn("TLS certificate {} in {} expired at {}; clients will refuse it",
                    leaf.getSubjectX500Principal().getName(), files.certificateChain(), leaf.getNotAfter().toInstant());
        }
        try {
            SslContext context = SslContextBuilder.forServer(key, chain).sslProvider(provider).build();
            return new Served(context, leaf, stamp);
        } catch (SSLException | RuntimeException e) {
            throw new TlsFileException(files.certificateChain(), "and " + files.privateKey()
                    + " make no TLS server context: " + TlsFileException.reason(e), e);
        }
    }

    private synchronized void startReloading() {
        long every = files.reloadCheck().toMillis();
        reloads = Executors.newSingleThreadScheduledExecutor(NamedThreads.daemon("tls-reload"));
        reloads.scheduleWithFixedDelay(this::reloadIfChanged, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Reads the files again if they changed since they were last read. A replacement that cannot be used is logged
     * (once for the same files) and the certificate in use stays.
     */
    public synchronized Reload reloadIfChanged() {
        FileStamp now = FileStamp.of(files);
        if (now.equals(served.stamp()) || now.equals(refused)) {
            return Reload.UNCHANGED;
        }
        try {
            Served next = read(files, provider);
            X509Certificate before = served.certificate();
            served = next;
            refused = null;
            log.info("TLS certificate reloaded from {}: serial {} (valid until {}) replaces serial {}; open connections "
                    + "keep the one they have", files.certificateChain(), next.certificate().getSerialNumber().toString(16),
                    next.certificate().getNotAfter().toInstant(), before.getSerialNumber().toString(16));
            return Reload.RELOADED;
        } catch (RuntimeException e) {
            refused = now;
            log.warn("TLS files changed but cannot be used, keeping certificate serial {}: {}",
                    served.certificate().getSerialNumber().toString(16), TlsFileException.reason(e));
            return Reload.KEPT_OLD;
        }
    }

    /** Puts {@code tls} and {@code tls-failures} at the end of {@code pipeline}; call it before adding anything else. */
    public void addTo(ChannelPipeline pipeline) {
        pipeline.addLast("tls", new TlsOnly(this)).addLast("tls-failures", failures);
    }

    /** A handler for one new connection, with the certificate in use now. */
    SslHandler newHandler(ByteBufAllocator allocator) {
        return served.context().newHandler(allocator);
    }

    /** The certificate new connections get. */
    public X509Certificate certificate() {
        return served.certificate();
    }

    /** {@code OPENSSL} or {@code JDK}. */
    public SslProvider provider() {
        return provider;
    }

    /** Handshakes that failed (untrusted certificate, no common protocol, a client that hung up halfway). */
    public long handshakeFailures() {
        return handshakeFailures.get();
    }

    void handshakeFailed() {
        handshakeFailures.incrementAndGet();
    }

    TlsFailures failures() {
        return failures;
    }

    @Override
    public synchronized void close() {
        if (reloads != null) {
            reloads.shutdownNow();
            reloads = null;
        }
    }

    /** Closes a connection whose TLS failed; the failure goes to the log at DEBUG, never to the pipeline's end. */
    @ChannelHandler.Sharable
    final class TlsFailures extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof SslHandshakeCompletionEvent done && !done.isSuccess()) {
                handshakeFailed();
                log.debug("TLS handshake with {} failed: {}", ctx.channel().remoteAddress(),
                        TlsFileException.reason(done.cause()));
                ctx.close();
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            for (Throwable t = cause; t != null; t = t.getCause()) {
                if (t instanceof SSLException) {
                    log.debug("TLS failure on {}: {}", ctx.channel().remoteAddress(), TlsFileException.reason(t));
                    ctx.close();
                    return;
                }
            }
            ctx.fireExceptionCaught(cause);
        }
    }
}
