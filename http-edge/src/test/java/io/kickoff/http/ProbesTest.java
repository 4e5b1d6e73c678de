package io.kickoff.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class ProbesTest {
    final AtomicBoolean storeUp = new AtomicBoolean(true);
    final AtomicBoolean busUp = new AtomicBoolean(true);

    Probes probes() {
        Map<String, BooleanSupplier> checks = new LinkedHashMap<>();
        checks.put("store", storeUp::get);
        checks.put("bus", busUp::get);
        checks.put("flaky", () -> {
            throw new IllegalStateException("cannot tell");
        });
        return new Probes(checks, () -> "# metrics\n");
    }

    @Test
    void readyOnlyWhenEveryCheckIsUpAndAThrowingCheckIsDown() {
        Probes.Readiness readiness = probes().readiness();

        assertThat(readiness.ready()).isFalse();
        assertThat(readiness.down()).containsExactly("flaky");
        assertThat(readiness.upOrDown()).containsExactly(Map.entry("store", "up"), Map.entry("bus", "up"),
                Map.entry("flaky", "down"));
    }

    @Test
    void namesTheChecksDownInOrder() {
        storeUp.set(false);
        busUp.set(false);
        Probes probes = new Probes(new LinkedHashMap<>(Map.of("store", (BooleanSupplier) storeUp::get)), () -> "");
        assertThat(probes.readiness().down()).isEqualTo(List.of("store"));
        assertThat(probes().readiness().down()).containsExactly("store", "bus", "flaky");
        storeUp.set(true);
        assertThat(probes.readiness().ready()).isTrue();
    }

    @Test
    void metricsAreTheScrape() {
        assertThat(probes().metrics()).isEqualTo("# metrics\n");
        assertThat(Probes.PROMETHEUS_CONTENT_TYPE).startsWith("text/plain; version=0.0.4");
    }
}
