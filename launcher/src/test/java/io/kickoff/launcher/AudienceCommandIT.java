package io.kickoff.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kickoff.bus.EventBus;
import io.kickoff.bus.KafkaBusConfig;
import io.kickoff.bus.KafkaEventBus;
import io.kickoff.bus.StartFrom;
import io.kickoff.bus.Subscription;
import io.kickoff.bus.Topic;
import io.kickoff.protocol.v1.AudienceSnapshot;
import io.kickoff.protocol.v1.PlaybackState;
import io.kickoff.protocol.v1.Viewing;
import io.kickoff.testkit.TestKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code kickoff audience} on a real Kafka: probes, metrics, two instances sharing the work, a fatal failure. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the last one deletes a topic of the shared broker
class AudienceCommandIT {
    static final Duration WAIT = Duration.ofSeconds(90);
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    @TempDir
    Path dir;

    CliRun audience(String applicationId, String name) {
        return CliRun.start("audience", "--kafka", kafka.bootstrapServers(), "--port", "0", "--node-id", name,
                "--application-id", applicationId, "--state-dir", dir.resolve(name).toString(),
                "--viewing-heartbeat-interval", "1s", "--partitions", "4");
    }

    static int probesPort(CliRun run) {
        return Integer.parseInt(run.awaitFound("probes +http://127\\.0\\.0\\.1:(\\d+)/healthz", WAIT));
    }

    static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @Order(1)
    void instancesWithOneApplicationIdShareTheWorkAndOneTakesOverWhenTheOtherStops() throws Exception {
        CliRun first = audience("audience-it", "audience-a");
        CliRun second = audience("audience-it", "audience-b");
        int firstPort = probesPort(first);
        int secondPort = probesPort(second);
        assertThat(first.out()).contains("Kickoff audience audience-a", "application audience-it",
                "viewers gone after 2s without a heartbeat");
        assertThat(get(firstPort, "/healthz").statusCode()).isEqualTo(200);
        await().atMost(WAIT).until(() -> get(firstPort, "/readyz").statusCode() == 200
                && get(secondPort, "/readyz").statusCode() == 200);
        HttpResponse<String> scrape = get(firstPort, "/metrics");
        assertThat(scrape.headers().firstValue("content-type")).contains(io.kickoff.http.Probes.PROMETHEUS_CONTENT_TYPE);
        assertThat(scrape.body()).contains("kickoff_build_info{", "kickoff_audience_ready{node=\"audience-a\"} 1",
                "kafka_stream_thread_process_total{");
        io.kickoff.testkit.MetricsExposition.checked(scrape.body());

        EventBus bus = new KafkaEventBus(KafkaBusConfig.of(kafka.bootstrapServers()).withPartitions(4));
        Map<String, AudienceSnapshot> latest = new ConcurrentHashMap<>();
        Subscription snapshots = bus.subscribe(Topic.AUDIENCE, StartFrom.BEGINNING, record -> {
            try {
                latest.put(record.key(), AudienceSnapshot.parseFrom(record.value()));
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new AssertionError(e);
            }
        });
        try {
            List<String> devices = List.of("tv-1", "tv-2", "tv-3", "tv-4", "tv-5", "tv-6");
            // Heartbeats every second, as the devices would, until the test says otherwise.
            Map<String, PlaybackState> playing = new ConcurrentHashMap<>();
            devices.forEach(d -> playing.put(d, PlaybackState.PLAYING));
            var heartbeats = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
            heartbeats.scheduleAtFixedRate(() -> playing.forEach((device, state) ->
                    bus.publish(Topic.VIEWING, device, viewing(device, state))), 0, 1, TimeUnit.SECONDS);
            try {
                await().atMost(WAIT).until(() -> viewers(latest) == 6);

                ((AudienceCommand) first.command("audience")).stop.request();
                assertThat(first.exit().get(WAIT.toSeconds(), TimeUnit.SECONDS)).as(first.toString()).isZero();
                playing.put("tv-1", PlaybackState.STOPPED);
                playing.put("tv-2", PlaybackState.STOPPED);
                // The second instance now has every partition, and the counts it restored from the changelogs.
                await().atMost(WAIT).until(() -> viewers(latest) == 4);
                await().pollDelay(Duration.ofSeconds(3)).atMost(WAIT).until(() -> viewers(latest) == 4);
            } finally {
                heartbeats.shutdownNow();
            }
        } finally {
            snapshots.close();
            bus.close();
            ((AudienceCommand) second.command("audience")).stop.request();
            assertThat(second.exit().get(WAIT.toSeconds(), TimeUnit.SECONDS)).as(second.toString()).isZero();
            if (!first.exit().isDone()) {
                ((AudienceCommand) first.command("audience")).stop.request();
            }
        }
    }

    @Test
    @Order(2)
    void aDeadStreamThreadEndsTheCommandWithExitOneAndTheReasonInOneLine() throws Exception {
        CliRun run = audience("audience-doomed", "audience-doomed");
        int port = probesPort(run);
        await().atMost(WAIT).until(() -> get(port, "/readyz").statusCode() == 200);

        // The input topic disappears under it: Kafka Streams cannot go on without a source topic.
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.deleteTopics(List.of(Topic.VIEWING.name())).all().get(30, TimeUnit.SECONDS);
        }

        assertThat(run.exit().get(WAIT.toSeconds(), TimeUnit.SECONDS)).as(run.toString()).isEqualTo(CommandFailure.DEPENDENCY);
        assertThat(run.err()).startsWith("kickoff: audience audience-doomed stopped: a stream thread died: ");
        assertThat(run.err().strip().lines()).as(run.err()).hasSize(1);
    }

    static long viewers(Map<String, AudienceSnapshot> latest) {
        return latest.getOrDefault("final", AudienceSnapshot.getDefaultInstance()).getViewers();
    }

    static byte[] viewing(String device, PlaybackState state) {
        long now = System.currentTimeMillis();
        return Viewing.newBuilder().setEventId("final").setState(state).setDeviceId(device).setSegment("us-en")
                .setSessionId("s-" + device).setAt(com.google.protobuf.Timestamp.newBuilder().setSeconds(now / 1000)
                        .setNanos((int) (now % 1000) * 1_000_000)).build().toByteArray();
    }
}
