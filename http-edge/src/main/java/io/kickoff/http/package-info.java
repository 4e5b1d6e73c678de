/**
 * The HTTP edge shared by the admin API, the bundle API and the gateway's upgrade path.
 *
 * <p>Exports: {@link io.kickoff.http.HttpEdge} (read timeouts, connection cap and request guard for a pipeline),
 * {@link io.kickoff.http.EdgeLimits}, {@link io.kickoff.http.RequestGuard}, {@link io.kickoff.http.Refusal},
 * {@link io.kickoff.http.RetryAfter}, {@link io.kickoff.http.Transport} (epoll where available),
 * {@link io.kickoff.http.ListeningSocket} (a port bound on it with event loops of its own, and stopped),
 * {@link io.kickoff.http.NamedThreads}, {@link io.kickoff.http.BearerToken}, {@link io.kickoff.http.Probes}
 * ({@code /healthz}, {@code /readyz}, {@code /metrics}), {@link io.kickoff.http.NodeMeters} (a node's meter registry), request routing ({@link io.kickoff.http.RouteTable},
 * {@link io.kickoff.http.Step}, {@link io.kickoff.http.AnswerOrder}), {@link io.kickoff.http.LogText}, and TLS:
 * {@link io.kickoff.http.ServerTls} (a server's certificate from {@link io.kickoff.http.TlsFiles}, reloaded when the
 * files change, on OpenSSL where it loads; bad files are a {@link io.kickoff.http.TlsFileException}) and
 * {@link io.kickoff.http.TlsTrust} (a client's trusted certificates from a PEM file).
 * The handlers {@code HttpEdge} installs ({@code ReadTimeouts}, {@code ConnectionCap}, {@code TlsOnly}) are package-private.
 */
package io.kickoff.http;
