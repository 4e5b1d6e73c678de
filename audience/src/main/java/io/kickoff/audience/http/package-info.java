/** The HTTP port of an audience instance: {@link io.kickoff.audience.http.AudienceEndpoints} ({@code /healthz}, {@code /readyz}, {@code /metrics}). */
package io.kickoff.audience.http;
