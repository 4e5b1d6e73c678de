package io.kickoff.http;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpServerCodec;
import java.util.Objects;
import java.util.Optional;

/**
 * The edge every HTTP API of the platform puts in front of its routes, one instance per server:
 * <pre>
 *   [tls → tls-failures] → edge-read-start → http (codec) → edge-timeouts → edge-cap → edge-guard → (the server's handlers)
 * </pre>
 * read timeouts ({@link ReadTimeouts}), the connection cap ({@link ConnectionCap}) and the request guard
 * ({@link RequestGuard}), worded by the server's {@link Refusal}. Every 503 of the server takes its
 * {@code Retry-After} from {@link #retryAfter()}. With a {@link ServerTls}, the connection speaks TLS first
 * (plain HTTP to it is answered 400 and closed); the server owns and closes the {@code ServerTls}.
 */
public final class HttpEdge {
    /** Name of the codec in the pipeline. */
    public static final String CODEC = "http";

    private final EdgeLimits limits;
    private final Refusal refusal;
    private final RetryAfter retryAfter;
    private final ConnectionCap cap;
    private final Optional<ServerTls> tls;

    public HttpEdge(EdgeLimits limits, Refusal refusal) {
        this(limits, refusal, limits.retryAfter());
    }

    public HttpEdge(EdgeLimits limits, Refusal refusal, RetryAfter retryAfter) {
        this(limits, refusal, retryAfter, Optional.empty());
    }

    /** @param tls the certificate of a TLS port; empty: plain HTTP */
    public HttpEdge(EdgeLimits limits, Refusal refusal, RetryAfter retryAfter, Optional<ServerTls> tls) {
        this.tls = Objects.requireNonNull(tls, "tls");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.refusal = Objects.requireNonNull(refusal, "refusal");
        this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
        this.cap = new ConnectionCap(limits.maxConnections(), retryAfter, refusal);
    }

    /** Adds the codec and the edge handlers at the end of {@code pipeline}; the server adds its own after them. */
    public void install(ChannelPipeline pipeline) {
        ReadTimeouts timeouts = new ReadTimeouts(limits, refusal);
        tls.ifPresent(t -> t.addTo(pipeline));
        pipeline.addLast("edge-read-start", timeouts.bytesSide())
                .addLast(CODEC, new HttpServerCodec(limits.maxRequestLine(), limits.maxHeaderBytes(), 8192))
                .addLast("edge-timeouts", timeouts.messagesSide())
                .addLast("edge-cap", cap)
                .addLast("edge-guard", new RequestGuard(refusal));
    }

    public EdgeLimits limits() {
        return limits;
    }

    /** The jittered Retry-After of every 503 (and 429) the server sends. */
    public RetryAfter retryAfter() {
        return retryAfter;
    }

    /** Whether connections speak TLS. */
    public boolean isTls() {
        return tls.isPresent();
    }

    /** Connections open now. */
    public int openConnections() {
        return cap.open();
    }
}
