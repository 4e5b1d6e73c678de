package io.kickoff.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kickoff.gateway.Gateway;
import io.kickoff.gateway.testing.TestGateways;
import io.kickoff.testkit.TestKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A gateway whose Kafka goes away says so on /readyz within seconds, and is ready again when Kafka returns. */
class GatewayReadinessIT {
    @RegisterExtension
    static final TestKafka kafka = new TestKafka();
    @RegisterExtension
    final TestGateways gateways = TestGateways.onKafka(kafka, GatewayIT.TOKENS);

    final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void kafkaBack() {
        kafka.start();
    }

    HttpResponse<String> readyz(Gateway gateway) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/readyz"))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void duringAKafkaOutageReadyzIs503WithinSecondsAnd200AfterIt() throws Exception {
        Gateway gateway = gateways.start("gw-ready", b -> b);
        await().atMost(Duration.ofSeconds(60)).until(() -> readyz(gateway).statusCode() == 200);

        kafka.stop();
        // Seconds, not the producer's two-minute delivery timeout.
        await().atMost(Duration.ofSeconds(30)).until(() -> readyz(gateway).statusCode() == 503);
        assertThat(readyz(gateway).body()).contains("bus is unavailable");

        kafka.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> readyz(gateway).statusCode() == 200);
    }
}
