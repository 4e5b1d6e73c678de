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
 * when a stage update names a bundle version it does not hold. One HTTP client per fleet; answers
 * are the length-delimited protobuf stream of {@code Bundle} messages the API serves.
 */
final class BundleFetcher {
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

    /** The bundles of the token's segment; fails on anything but a 200. */
    CompletableFuture<List<Bundle>> fetchCritical(String token) {
        HttpRequest request = HttpRequest.newBuilder(listing)
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/x-protobuf")
                .header(PRIORITY_HEADER, CRITICAL)
                .timeout(Duration.ofSeconds(30))
                .GET().build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).thenApply(response -> {
            if (response.statusCode() != 200) {
                throw new IllegalStateException("bundle API answered " + response.statusCode());
            }
            return parse(response.body());
        });
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
