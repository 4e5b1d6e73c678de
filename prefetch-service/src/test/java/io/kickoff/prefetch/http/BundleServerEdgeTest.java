package io.kickoff.prefetch.http;

import static io.kickoff.testkit.RawHttpConnection.body;
import static io.kickoff.testkit.RawHttpConnection.header;
import static io.kickoff.testkit.RawHttpConnection.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kickoff.http.EdgeLimits;
import io.kickoff.prefetch.bundle.InMemoryBundleStore;
import io.kickoff.protocol.token.DeviceTokens;
import io.kickoff.testkit.RawHttpConnection;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The bundle API's edge over real sockets: bad requests answered, slow and idle connections closed, a cap. */
class BundleServerEdgeTest {
    static final Duration WAIT = Duration.ofSeconds(15);
    final InMemoryBundleStore store = new InMemoryBundleStore();
    final AtomicBoolean ready = new AtomicBoolean(true);
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    BundleServer server;
    int port;

    void start(int maxConnections) throws Exception {
        EdgeLimits edge = EdgeLimits.defaults(maxConnections)
                .withTimeouts(Duration.ofMillis(500), Duration.ofMillis(500), Duration.ofMillis(800));
        BundleServerConfig config = BundleServerConfig.defaults().withHost("127.0.0.1").withPort(0).withEdge(edge);
        server = new BundleServer(config, store, DeviceTokens.withSecret(BundleServerTest.SECRET),
                Set.of("teen", "adult")::contains, ready::get, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                Jitter.random());
        port = server.start();
        store.put(BundleServerTest.bundle("ev-1", "teen", "v1"), Duration.ofMinutes(10)).join();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    String exchange(String request) throws Exception {
        return RawHttpConnection.exchange(port, request, WAIT);
    }

    static void assertRefused(String received, int status, String words) {
        assertThat(status(received)).as(received).isEqualTo(status);
        assertThat(header(received, "Content-Type")).startsWith("text/plain");
        assertThat(header(received, "Connection")).isEqualToIgnoringCase("close");
        assertThat(body(received)).contains(words);
    }

    HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(WAIT);
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void everyBundleAnswerVariesByAcceptEncoding() throws Exception {
        start(100);
        HttpResponse<byte[]> gzipped = get("/v1/bundles?segment=teen", "Accept", "application/json", "Accept-Encoding", "gzip");
        assertThat(gzipped.headers().firstValue("content-encoding")).contains("gzip");
        HttpResponse<byte[]> plain = get("/v1/bundles?segment=teen", "Accept", "application/json");
        HttpResponse<byte[]> protobuf = get("/v1/bundles?segment=teen");
        HttpResponse<byte[]> notModified = get("/v1/bundles?segment=teen", "If-None-Match",
                protobuf.headers().firstValue("etag").orElseThrow());
        for (HttpResponse<byte[]> r : List.of(gzipped, plain, protobuf, notModified)) {
            assertThat(r.headers().allValues("vary")).as("%s", r).singleElement().asString()
                    .contains("Accept-Encoding").contains("Accept,").contains("Authorization");
        }
    }

    @Test
    void malformedPercentEncodingInTheSegmentIsAnswered400() throws Exception {
        start(100);
        assertRefused(exchange("GET /v1/bundles?segment=%zz HTTP/1.1\r\nHost: a\r\n\r\n"), 400, "percent-encoding");
        assertRefused(exchange("GET /v1/bundles?segment=te%E9n HTTP/1.1\r\nHost: a\r\n\r\n"), 400, "percent-encoding");
        assertRefused(exchange("GET /v1/%bundles HTTP/1.1\r\nHost: a\r\n\r\n"), 400, "percent-encoding");
    }

    @Test
    void missingOrRepeatedHostAndRepeatedContentTypeAre400() throws Exception {
        start(100);
        assertRefused(exchange("GET /v1/bundles?segment=teen HTTP/1.1\r\n\r\n"), 400, "Host");
        assertRefused(exchange("GET /v1/bundles?segment=teen HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400, "Host");
        assertRefused(exchange("GET /v1/bundles?segment=teen HTTP/1.1\r\nHost: a\r\nContent-Type: a/b\r\n"
                + "Content-Type: c/d\r\n\r\n"), 400, "Content-Type");
    }

    @Test
    void idleConnectionsAreClosed() throws Exception {
        start(100);
        assertThat(exchange("")).isEmpty();
        String kept = exchange("GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(status(kept)).as("answered, then closed once idle").isEqualTo(200);
    }

    @Test
    void halfSentAndSlowHeadersAreAnswered408() throws Exception {
        start(100);
        assertRefused(exchange("GET /v1/bundles?segment=teen HTTP/1.1\r\nHost: a\r\n"), 408, "headers");
        try (RawHttpConnection c = new RawHttpConnection(port)) {
            c.send("GET /v1/bundles?segment=teen HTTP/1.1\r\n").send("Host: a\r\n").send("Accept: */*\r\n");
            assertRefused(c.readUntilClosed(WAIT), 408, "headers");
        }
    }

    @Test
    void aMissingBodyIsAnswered408() throws Exception {
        start(100);
        assertRefused(exchange("GET /v1/bundles?segment=teen HTTP/1.1\r\nHost: a\r\nContent-Length: 50\r\n\r\nabc"),
                408, "body");
    }

    @Test
    void aConnectionOverTheCapIsAnswered503WithAJitteredRetryAfterAndClosed() throws Exception {
        start(1);
        try (RawHttpConnection holder = new RawHttpConnection(port)) {
            holder.send("GET /healthz HTTP/1.1\r\nHost: a\r\n");
            await().until(() -> server.openConnections() == 1);
            String received = exchange("GET /v1/bundles?segment=teen HTTP/1.1\r\nHost: a\r\n\r\n");
            assertRefused(received, 503, "connections");
            assertThat(Long.parseLong(header(received, "Retry-After"))).isBetween(5L, 30L);
        }
        await().until(() -> server.openConnections() == 0);
        assertThat(get("/v1/bundles?segment=teen").statusCode()).as("the slot was given back").isEqualTo(200);
    }

    @Test
    void notReadyCarriesAJitteredRetryAfter() throws Exception {
        start(100);
        ready.set(false);
        HttpResponse<byte[]> r = get("/readyz");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(Long.parseLong(r.headers().firstValue("retry-after").orElseThrow())).isBetween(5L, 30L);
    }
}
