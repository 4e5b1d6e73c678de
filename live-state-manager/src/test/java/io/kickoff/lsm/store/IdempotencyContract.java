package io.kickoff.lsm.store;

import static io.kickoff.lsm.store.Futures.done;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kickoff.lsm.idempotency.Idempotency;
import io.kickoff.lsm.idempotency.StoredResponse;
import io.kickoff.testkit.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Idempotency} must do, run against each implementation (in memory, and Redis in
 * {@code RedisIdempotencyIT}) so they cannot drift apart. Subclasses provide an empty one whose time is {@link #clock}.
 */
abstract class IdempotencyContract {
    static final Duration HOUR = Duration.ofHours(1);

    protected final MutableClock clock = new MutableClock(Instant.parse("2030-06-01T18:00:00Z"));

    /** The implementation under test: empty at the start of each test. */
    protected abstract Idempotency idempotency();

    /** Another client of the same keys (another connection, for Redis); by default the same one. */
    protected Idempotency otherClient() {
        return idempotency();
    }

    /** Lets {@code duration} pass as the implementation sees time: moves {@link #clock}, or waits for real time. */
    protected abstract void letTimePass(Duration duration);

    /** A TTL short enough to watch it expire. */
    protected Duration shortTtl() {
        return Duration.ofMillis(300);
    }

    static StoredResponse response(String hash, int status, String body) {
        return new StoredResponse(hash, status, "application/json", "\"" + status + "\"",
                body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aKeyKeepsTheFirstResponse() {
        StoredResponse first = response("hash-1", 201, "{\"id\":\"derby\"}");
        StoredResponse second = response("hash-2", 409, "{\"error\":\"exists\"}");

        assertThat(done(idempotency().lookup("key-1"))).isEmpty();
        assertThat(done(idempotency().remember("key-1", first, HOUR))).usingRecursiveComparison().isEqualTo(first);
        assertThat(done(idempotency().remember("key-1", second, HOUR))).usingRecursiveComparison().isEqualTo(first);
        assertThat(done(idempotency().lookup("key-1"))).get().usingRecursiveComparison().isEqualTo(first);

        assertThat(done(idempotency().remember("key-2", second, HOUR))).usingRecursiveComparison().isEqualTo(second);
        assertThat(done(idempotency().lookup("key-2"))).get().usingRecursiveComparison().isEqualTo(second);
    }

    @Test
    void aKeyExpiresAfterItsTtl() {
        StoredResponse first = response("hash-1", 201, "{}");
        StoredResponse later = response("hash-2", 200, "{\"again\":true}");
        done(idempotency().remember("short-lived", first, shortTtl()));

        letTimePass(shortTtl().multipliedBy(2));

        await().atMost(Duration.ofSeconds(10)).until(() -> done(idempotency().lookup("short-lived")).isEmpty());
        assertThat(done(idempotency().remember("short-lived", later, HOUR)))
                .usingRecursiveComparison().isEqualTo(later);
    }

    @Test
    void aKeyStaysWhileItsTtlRuns() {
        StoredResponse first = response("hash-1", 201, "{}");
        done(idempotency().remember("long-lived", first, HOUR));

        letTimePass(Duration.ofMillis(10));

        assertThat(done(idempotency().lookup("long-lived"))).get().usingRecursiveComparison().isEqualTo(first);
    }

    @Test
    void anotherClientSeesTheStoredAnswer() {
        StoredResponse first = response("hash-1", 201, "{\"id\":\"derby\"}");
        done(idempotency().remember("shared", first, HOUR));

        assertThat(done(otherClient().lookup("shared"))).get().usingRecursiveComparison().isEqualTo(first);
        assertThat(done(otherClient().remember("shared", response("hash-2", 200, "{}"), HOUR)))
                .usingRecursiveComparison().isEqualTo(first);
    }

    @Test
    void ofRacingFirstAnswersAllLearnTheOneStoredFirst() {
        List<CompletableFuture<StoredResponse>> racing = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            Idempotency client = i % 2 == 0 ? idempotency() : otherClient();
            racing.add(client.remember("race", response("hash-" + i, 200, "{\"n\":" + i + "}"), HOUR));
        }
        // Read once every racer has its answer: a racer's write may still be on its way (Redis: a script not yet
        // cached is sent again as EVAL, after a lookup sent meanwhile).
        CompletableFuture.allOf(racing.toArray(CompletableFuture[]::new)).join();
        StoredResponse stored = done(idempotency().lookup("race")).orElseThrow();
        for (CompletableFuture<StoredResponse> answer : racing) {
            assertThat(done(answer)).usingRecursiveComparison().isEqualTo(stored);
        }
    }

    @Test
    void storesBodiesByteForByte() {
        byte[] body = new byte[256];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) i;
        }
        StoredResponse binary = new StoredResponse("hash", 201, "application/problem+json", "", body);
        done(idempotency().remember("bytes", binary, HOUR));

        assertThat(done(otherClient().lookup("bytes")).orElseThrow().body()).isEqualTo(body);
    }
}
