package io.kickoff.lsm.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kickoff.bus.InProcessEventBus;
import io.kickoff.http.TlsFiles;
import io.kickoff.http.TlsTrust;
import io.kickoff.lsm.LiveStateManager;
import io.kickoff.lsm.api.AdminToken;
import io.kickoff.lsm.event.InMemoryEventStore;
import io.kickoff.lsm.idempotency.InMemoryIdempotency;
import io.kickoff.lsm.store.InMemoryLeaderLease;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.testkit.RawHttpConnection;
import io.kickoff.testkit.TestCertificates;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API on https://, asked by the admin client and by java.net.http. */
class AdminClientTlsTest {
    static final String OPERATOR = "tls-operator";

    @TempDir
    Path dir;

    final TestCertificates authority = TestCertificates.authority("kickoff test CA");
    final InProcessEventBus bus = new InProcessEventBus();
    LiveStateManager lsm;
    Path cert;
    Path key;
    URI base;

    @BeforeEach
    void start() throws Exception {
        cert = dir.resolve("cert.pem");
        key = dir.resolve("key.pem");
        authority.issue(1).writeTo(cert, key);
        InMemoryLeaderLease lease = new InMemoryLeaderLease();
        lsm = LiveStateManager.start(LiveStateManager.Config.of("127.0.0.1", 0, Map.of(OPERATOR, AdminToken.operator("it")),
                        "lsm-tls").withTls(TlsFiles.of(cert, key).withReloadCheck(Duration.ofMillis(100))),
                new InMemoryEventStore(Clock.systemUTC(), lease::currentEpoch), new InMemoryIdempotency(Clock.systemUTC()),
                lease, bus, Clock.systemUTC());
        base = URI.create("https://localhost:" + lsm.adminPort());
    }

    @AfterEach
    void stop() {
        lsm.close();
        bus.close();
    }

    @Test
    void theAdminClientWorksOverHttpsTrustingTheCertificate() {
        AdminClient admin = new AdminClient(base, OPERATOR, TlsTrust.sslContext(authority.writeTrust(dir.resolve("ca.pem"))));
        await().atMost(Duration.ofSeconds(30)).until(() -> admin.readiness().ready());
        AdminReply created = admin.createEvent(NewEventRequest.of("ev-tls", "over TLS", Instant.now().plus(Duration.ofDays(1))));
        assertThat(created.status()).isEqualTo(201);
        assertThat(admin.transition("ev-tls", Stage.PREFETCH).stage()).isEqualTo("PREFETCH");
    }

    @Test
    void javaNetHttpReadsTheProbesOverHttps() throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(authority.clientContext()).build();
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(base.resolve("/healthz")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        HttpResponse<String> events = http.send(HttpRequest.newBuilder(base.resolve("/v1/events"))
                .header("Authorization", "Bearer " + OPERATOR).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(events.statusCode()).isEqualTo(200);
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateIsUnreachableWithTheHandshakeAsCause() throws Exception {
        AdminClient stranger = new AdminClient(base, OPERATOR); // the JDK's trust store
        assertThatThrownBy(() -> stranger.event("ev-none"))
                .isInstanceOf(AdminUnreachableException.class)
                .hasCauseInstanceOf(SSLHandshakeException.class);
        // The server serves the next client as before.
        try (SSLSocket socket = authority.connect(lsm.adminPort())) {
            assertThat(TestCertificates.servedSerial(socket)).isEqualTo(1);
        }
    }

    @Test
    void plainHttpToTheHttpsPortIsAnswered400AndClosed() throws Exception {
        String received = RawHttpConnection.exchange(lsm.adminPort(), "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n",
                Duration.ofSeconds(10));
        assertThat(RawHttpConnection.status(received)).isEqualTo(400);
        assertThat(RawHttpConnection.body(received)).contains("use https://");
    }

    @Test
    void aReplacedCertificateReachesNewConnections() throws Exception {
        AdminClient admin = new AdminClient(base, OPERATOR, authority.clientContext());
        await().atMost(Duration.ofSeconds(30)).until(() -> admin.readiness().ready());
        authority.issue(2).writeTo(cert, key);
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            try (SSLSocket socket = authority.connect(lsm.adminPort())) {
                return TestCertificates.servedSerial(socket).intValue() == 2;
            }
        });
        assertThat(admin.readiness().ready()).as("the client's open connection still works").isTrue();
    }
}
