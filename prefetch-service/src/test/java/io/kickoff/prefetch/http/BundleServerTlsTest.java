package io.kickoff.prefetch.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kickoff.http.TlsFiles;
import io.kickoff.prefetch.bundle.InMemoryBundleStore;
import io.kickoff.protocol.token.DeviceTokens;
import io.kickoff.protocol.v1.Bundle;
import io.kickoff.testkit.RawHttpConnection;
import io.kickoff.testkit.TestCertificates;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bundle API on https://, asked by real TLS clients. */
class BundleServerTlsTest {
    static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    final TestCertificates authority = TestCertificates.authority("kickoff test CA");
    final InMemoryBundleStore store = new InMemoryBundleStore();
    BundleServer server;
    Path cert;
    Path key;
    int port;

    @BeforeEach
    void start() throws Exception {
        cert = dir.resolve("cert.pem");
        key = dir.resolve("key.pem");
        authority.issue(1).writeTo(cert, key);
        BundleServerConfig config = BundleServerConfig.defaults().withHost("127.0.0.1").withPort(0)
                .withTls(TlsFiles.of(cert, key).withReloadCheck(Duration.ofMillis(100)));
        server = new BundleServer(config, store, DeviceTokens.withSecret(BundleServerTest.SECRET),
                Set.of("teen", "adult")::contains, () -> true, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                Jitter.random());
        port = server.start();
        store.put(BundleServerTest.bundle("ev-1", "teen", "v1"), Duration.ofMinutes(10)).join();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    HttpResponse<byte[]> get(HttpClient http, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + path)).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void bundlesAreServedOverHttpsToAClientTrustingTheCertificate() throws Exception {
        HttpResponse<byte[]> answer = get(HttpClient.newBuilder().sslContext(authority.clientContext()).build(),
                "/v1/bundles?segment=teen");
        assertThat(answer.statusCode()).isEqualTo(200);
        Bundle bundle = Bundle.parseDelimitedFrom(new ByteArrayInputStream(answer.body()));
        assertThat(bundle.getEventId()).isEqualTo("ev-1");
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateFailsAndLeavesNoConnectionOpen() throws Exception {
        assertThatThrownBy(() -> get(HttpClient.newHttpClient(), "/v1/bundles?segment=teen"))
                .isInstanceOf(SSLHandshakeException.class);
        await().atMost(WAIT).until(() -> server.openConnections() == 0);
    }

    @Test
    void plainHttpToTheHttpsPortIsAnswered400AndClosed() throws Exception {
        String received = RawHttpConnection.exchange(port, "GET /v1/bundles?segment=teen HTTP/1.1\r\nHost: a\r\n\r\n", WAIT);
        assertThat(RawHttpConnection.status(received)).isEqualTo(400);
        await().atMost(WAIT).until(() -> server.openConnections() == 0);
    }

    @Test
    void aReplacedCertificateReachesNewConnectionsAndABrokenOneIsNotUsed() throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(authority.clientContext()).build();
        assertThat(get(http, "/healthz").statusCode()).isEqualTo(200);
        authority.issue(2).writeTo(cert, key);
        await().atMost(WAIT).until(() -> servedSerial() == 2);
        assertThat(get(http, "/healthz").statusCode()).as("the client's open connection").isEqualTo(200);

        Files.writeString(cert, "not a certificate");
        // Four reload checks later, the certificate served is still the last good one.
        await().pollDelay(Duration.ofMillis(400)).atMost(WAIT).until(() -> servedSerial() == 2);
    }

    private long servedSerial() throws Exception {
        try (SSLSocket socket = authority.connect(port)) {
            return TestCertificates.servedSerial(socket).longValueExact();
        }
    }
}
