/**
 * The HTTP edge shared by the admin API, the bundle API and the gateway's upgrade path.
 *
 * <p>Exports: {@link io.kickoff.http.HttpEdge} (read timeouts, connection cap and request guard for a pipeline),
 * {@link io.kickoff.http.EdgeLimits}, {@link io.kickoff.http.RequestGuard}, {@link io.kickoff.http.Refusal},
 * {@link io.kickoff.http.RetryAfter}, {@link io.kickoff.http.Transport} (epoll where available),
 * {@link io.kickoff.http.NamedThreads}, {@link io.kickoff.http.BearerToken}, {@link io.kickoff.http.Probes}
 * ({@code /healthz}, {@code /readyz}, {@code /metrics}), {@link io.kickoff.http.NodeMeters} (a node's meter registry), request routing ({@link io.kickoff.http.RouteTable},
 * {@link io.kickoff.http.Step}, {@link io.kickoff.http.AnswerOrder}) and {@link io.kickoff.http.LogText}.
 * The handlers {@code HttpEdge} installs ({@code ReadTimeouts}, {@code ConnectionCap}) are package-private.
 */
package io.kickoff.http;
