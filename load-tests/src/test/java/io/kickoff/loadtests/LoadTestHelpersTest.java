package io.kickoff.loadtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kickoff.protocol.token.DeviceClaims;
import io.kickoff.protocol.token.DeviceTokens;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The simulations' helpers; the simulations themselves run in {@link SimulationsIT}. */
class LoadTestHelpersTest {

    @Test
    void feederIssuesTokensTheServerAccepts() throws Exception {
        DeviceTokenFeeder feeder = new DeviceTokenFeeder(Settings.DEV_TOKEN_SECRET, "dev", List.of("s3", "s4"),
                Duration.ofMinutes(5));
        Map<String, Object> first = feeder.next();
        Map<String, Object> second = feeder.next();

        DeviceClaims claims = DeviceTokens.withSecret(Settings.DEV_TOKEN_SECRET).verify((String) first.get("token"));
        assertThat(claims.deviceId()).isEqualTo("dev-0").isEqualTo(first.get("deviceId"));
        assertThat(claims.segment()).isEqualTo("s3");
        assertThat(second).containsEntry("deviceId", "dev-1").containsEntry("segment", "s4");
    }

    @Test
    void percentilesAreNearestRank() {
        long[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertThat(HerdProgress.percentile(sorted, 50)).isEqualTo(5);
        assertThat(HerdProgress.percentile(sorted, 99)).isEqualTo(10);
        assertThat(HerdProgress.percentile(new long[] {42}, 50)).isEqualTo(42);
    }

    @Test
    void progressCountsListeningDevicesAndReceipts() throws Exception {
        HerdProgress progress = new HerdProgress(2);
        progress.deviceListening();
        assertThat(progress.awaitHerd(Duration.ZERO)).isFalse();
        progress.deviceListening();
        assertThat(progress.awaitHerd(Duration.ZERO)).isTrue();

        progress.adminCallStarted(Instant.now());
        progress.liveReceived(Instant.now().minusMillis(20).toString());
        assertThat(progress.received()).isEqualTo(1);
        assertThat(progress.summary()).contains("2/2 devices listening", "1/2 received LIVE", "p50");
    }

    @Test
    void timeToAllIsClaimedOnceTheLastDeviceHasLive() {
        HerdProgress progress = new HerdProgress(2);
        Instant adminCall = Instant.now().minusMillis(50);
        progress.adminCallStarted(adminCall);
        String first = progress.liveReceived(adminCall.plusMillis(5).toString());
        assertThat(progress.claimTimeToAll()).as("one device of two").isNull();
        String last = progress.liveReceived(adminCall.plusMillis(5).toString());

        Timings.Span all = progress.claimTimeToAll();
        assertThat(all).isNotNull();
        assertThat(all.startMillis()).isEqualTo(adminCall.toEpochMilli());
        assertThat(all.endMillis()).isEqualTo(Math.max(HerdProgress.receivedMillis(first), HerdProgress.receivedMillis(last)));
        assertThat(progress.claimTimeToAll()).as("logged once").isNull();
        assertThat(HerdProgress.issuedAtMillis(first)).isEqualTo(adminCall.plusMillis(5).toEpochMilli());
    }

    @Test
    void timeToAllStartsAtIssuedAtWhenAnotherProducerWentLive() {
        HerdProgress progress = new HerdProgress(1);
        Instant issued = Instant.now().minusMillis(30);
        progress.liveReceived(issued.toString());
        assertThat(progress.claimTimeToAll().startMillis()).isEqualTo(issued.toEpochMilli());
    }

    @Test
    void stormCountsDevicesBackAndClaimsTheLastOnce() {
        StormProgress storm = new StormProgress(2);
        storm.breakStorm(1_000);
        assertThat(storm.rewelcomed(1_400)).isEqualTo(Timings.Span.ok(1_000, 1_400));
        assertThat(storm.claimTimeToAll()).isNull();
        storm.rewelcomed(1_300);
        assertThat(storm.claimTimeToAll()).isEqualTo(Timings.Span.ok(1_000, 1_400));
        assertThat(storm.claimTimeToAll()).isNull();
    }

    @Test
    void memorySumsTheSelectedSeriesOnly() {
        String metrics = """
                # TYPE jvm_memory_used_bytes gauge
                jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 100.0
                jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 2.5E2
                jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 1000.0
                jvm_memory_used_bytes_max{area="heap"} 9999.0
                """;
        assertThat(MemorySample.sum(metrics, "jvm_memory_used_bytes{area=\"heap\"}")).isEqualTo(350.0);
        assertThat(MemorySample.sum(metrics, "jvm_memory_used_bytes")).isEqualTo(1350.0);
        assertThatThrownBy(() -> MemorySample.sum(metrics, "process_resident_memory_bytes"))
                .hasMessageContaining("no series process_resident_memory_bytes");
    }

    @Test
    void stormTriggerIsCloseOrDrain() {
        assertThat(ReconnectStormSimulation.Trigger.parse("DRAIN")).isEqualTo(ReconnectStormSimulation.Trigger.DRAIN);
        assertThatThrownBy(() -> ReconnectStormSimulation.Trigger.parse("kill")).hasMessageContaining("-Dstorm.trigger");
    }

    @Test
    void bundleArrivalIsJitterOrBurst() {
        assertThat(BundleHerdSimulation.Arrival.parse("Burst")).isEqualTo(BundleHerdSimulation.Arrival.BURST);
        assertThatThrownBy(() -> BundleHerdSimulation.Arrival.parse("ramp")).hasMessageContaining("-Dbundles.arrival");
    }

    @Test
    void rampsLastWholeSeconds() {
        assertThat(BroadcastHerdSimulation.rampFor(200, 100)).isEqualTo(Duration.ofSeconds(2));
        assertThat(BroadcastHerdSimulation.rampFor(250, 100)).isEqualTo(Duration.ofSeconds(3));
        assertThat(BroadcastHerdSimulation.rampFor(50, 100)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void settingsNameTheBadProperty() {
        System.setProperty("loadtests.test.n", "zero");
        try {
            assertThatThrownBy(() -> Settings.positiveInt("loadtests.test.n", 1)).hasMessageContaining("-Dloadtests.test.n");
        } finally {
            System.clearProperty("loadtests.test.n");
        }
        assertThat(Settings.positiveInt("loadtests.test.n", 7)).isEqualTo(7);
        assertThat(Settings.httpBase("ws://127.0.0.1:8080")).isEqualTo("http://127.0.0.1:8080");
    }
}
