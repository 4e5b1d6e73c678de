package io.kickoff.simulator;

import io.kickoff.protocol.v1.Bundle;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Fetches a device's bundles from the bundle API as {@code X-Priority: critical}: what a device does
 * when a stage update names a bundle version it does not hold (or holds expired). One HTTP client per
 * fleet; answers are the length-delimited protobuf stream of {@code Bundle} messages the API serves.
 * A device holding an older copy sends its {@code ETag} as {@code If-None-Match}; 304 means its copy is current.
 */
final class BundleFetcher {
    /** What the bundle API answered. */
    sealed interface Listing {
        /** {@code Cache-Control: max-age} in seconds, -1 when absent. */
        long maxAgeSeconds();
    }

    /** 200: the segment's bundles, with the {@code ETag} to revalidate them (null if none). */
    record Fetched(List<Bundle> bundles, String etag, long maxAgeSeconds) implements Listing {
    }

    /** 304: the copy the device holds is current. */
    record NotModified(long maxAgeSeconds) implements Listing {
    }

    static final String PRIORITY_HEADER = "X-Priority";
    static final String CRITICAL = "critical";

    private final URI listing;
    private final HttpClient http;

    /** @param trust whom to trust over https; null: the JDK's trust store */
    BundleFetcher(URI listing, TrustManagerFactory trust) {
        this.listing = listing;
        HttpClient.Builder http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10));
        if (trust != null) {
            http.sslContext(trusting(trust));
        }
        this.http = http.build();
    }

    private static SSLContext trusting(TrustManagerFactory trust) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make the bundle fetches' TLS context: " + e.getMessage(), e);
        }
    }

    /** The bundles of the token's segment; {@code ifNoneMatch} null asks unconditionally. Fails on anything but 200 or 304. */
    CompletableFuture<Listing> fetchCritical(String token, String ifNoneMatch) {
        HttpRequest.Builder request = HttpRequest.newBuilder(listing)
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/x-protobuf")
                .header(PRIORITY_HEADER, CRITICAL)
                .timeout(Duration.ofSeconds(30))
                .GET();
        if (ifNoneMatch != null) {
            request.header("If-None-Match", ifNoneMatch);
        }
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray()).thenApply(response -> {
            long maxAge = maxAgeSeconds(response.headers().firstValue("Cache-Control").orElse(null));
            return switch (response.statusCode()) {
                case 200 -> new Fetched(parse(response.body()), response.headers().firstValue("ETag").orElse(null), maxAge);
                case 304 -> new NotModified(maxAge);
                default -> throw new IllegalStateException("bundle API answered " + response.statusCode());
            };
        });
    }

    /** The {@code max-age} directive of a {@code Cache-Control} value in seconds; -1 when absent or unreadable. */
    static long maxAgeSeconds(String cacheControl) {
        if (cacheControl == null) {
            return -1;
        }
        for (String directive : cacheControl.split(",")) {
            String d = directive.trim();
            if (d.regionMatches(true, 0, "max-age=", 0, 8)) {
                try {
                    return Math.max(0, Long.parseLong(d.substring(8).trim().replace("\"", "")));
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    static List<Bundle> parse(byte[] body) {
        List<Bundle> bundles = new ArrayList<>();
        try (InputStream in = new ByteArrayInputStream(body)) {
            Bundle bundle;
            while ((bundle = Bundle.parseDelimitedFrom(in)) != null) {
                bundles.add(bundle);
            }
        } catch (IOException e) {
            throw new IllegalStateException("unreadable bundle listing: " + e.getMessage(), e);
        }
        return bundles;
    }
}
