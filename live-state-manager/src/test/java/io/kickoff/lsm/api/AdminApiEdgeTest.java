package io.kickoff.lsm.api;

import static io.kickoff.testkit.RawHttpConnection.body;
import static io.kickoff.testkit.RawHttpConnection.header;
import static io.kickoff.testkit.RawHttpConnection.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kickoff.http.EdgeLimits;
import io.kickoff.testkit.RawHttpConnection;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The admin API's edge over real sockets: malformed requests are answered, slow and idle connections closed. */
class AdminApiEdgeTest {
    static final Duration WAIT = Duration.ofSeconds(15);
    static final EdgeLimits LIMITS = EdgeLimits.defaults(3)
            .withTimeouts(Duration.ofMillis(500), Duration.ofMillis(500), Duration.ofMillis(800));

    @RegisterExtension
    final AdminApiFixture api = new AdminApiFixture(LIMITS);

    String exchange(String request) throws Exception {
        return RawHttpConnection.exchange(api.server.port(), request, WAIT);
    }

    static void assertProblem(String received, int status, String slug) {
        assertThat(status(received)).as(received).isEqualTo(status);
        assertThat(header(received, "Content-Type")).isEqualTo("application/problem+json");
        assertThat(header(received, "Connection")).isEqualToIgnoringCase("close");
        assertThat(body(received)).contains("\"type\":\"https://kickoff.io/problems/" + slug + "\"");
    }

    @Test
    void malformedPercentEncodingIsAnswered400() throws Exception {
        assertProblem(exchange("GET /v1/events/%zz HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer view-token\r\n\r\n"),
                400, "malformed-target");
        assertProblem(exchange("GET /v1/events?cursor=%E9%2 HTTP/1.1\r\nHost: a\r\n\r\n"), 400, "malformed-target");
    }

    @Test
    void missingOrRepeatedHostAndRepeatedContentTypeAre400() throws Exception {
        assertProblem(exchange("GET /healthz HTTP/1.1\r\n\r\n"), 400, "bad-host");
        assertProblem(exchange("GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400, "bad-host");
        assertProblem(exchange("POST /v1/events HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer op-token\r\n"
                + "Content-Type: application/json\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}"), 400, "bad-content-type");
    }

    @Test
    void oversizedRequestLineAndHeadersAre414And431() throws Exception {
        assertProblem(exchange("GET /v1/events/" + "a".repeat(5000) + " HTTP/1.1\r\nHost: a\r\n\r\n"), 414, "uri-too-long");
        assertProblem(exchange("GET /healthz HTTP/1.1\r\nHost: a\r\nX-Big: " + "b".repeat(9000) + "\r\n\r\n"), 431,
                "headers-too-large");
    }

    @Test
    void anIdleConnectionIsClosed() throws Exception {
        assertThat(exchange("")).isEmpty();
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAfterItsAnswer() throws Exception {
        String received = exchange("GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(status(received)).isEqualTo(200);
    }

    @Test
    void halfSentHeadersAreAnswered408() throws Exception {
        assertProblem(exchange("GET /v1/events HTTP/1.1\r\nHost: a\r\n"), 408, "request-timeout");
    }

    @Test
    void slowHeadersAreAnswered408() throws Exception {
        try (RawHttpConnection c = new RawHttpConnection(api.server.port())) {
            c.send("GET /v1/events HTTP/1.1\r\n");
            for (int i = 0; i < 3; i++) {
                c.send("X-Slow-" + i + ": 1\r\n");
            }
            assertProblem(c.readUntilClosed(WAIT), 408, "request-timeout");
        }
    }

    @Test
    void aMissingBodyIsAnswered408() throws Exception {
        assertProblem(exchange("POST /v1/events HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer op-token\r\n"
                + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"id\":"), 408, "request-timeout");
        assertThat(api.get("/v1/events").statusCode()).isEqualTo(200);
    }

    @Test
    void aConnectionOverTheCapIsAnswered503WithRetryAfterAndClosed() throws Exception {
        AdminApiFixture capped = new AdminApiFixture(EdgeLimits.defaults(1));
        try (RawHttpConnection holder = new RawHttpConnection(capped.server.port())) {
            holder.send("GET /healthz HTTP/1.1\r\nHost: a\r\n");   // holds the only slot
            await().until(() -> capped.server.openConnections() == 1);
            try (RawHttpConnection over = new RawHttpConnection(capped.server.port())) {
                String received = over.send("GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n").readUntilClosed(WAIT);
                assertProblem(received, 503, "over-capacity");
                assertThat(Integer.parseInt(header(received, "Retry-After"))).isBetween(1, 10);
            }
        } finally {
            capped.close();
        }
    }
}
