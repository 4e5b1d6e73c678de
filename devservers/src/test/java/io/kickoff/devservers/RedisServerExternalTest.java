package io.kickoff.devservers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** With REDIS_URL set, the kit only hands out that address and refuses to control the server. */
class RedisServerExternalTest {

    @Test
    void externalServerIsUsedAsGiven() {
        try (RedisServer redis = new RedisServer("redis://redis.example:6380")) {
            redis.start();

            assertThat(redis.uri()).isEqualTo("redis://redis.example:6380");
            assertThat(redis.host()).isEqualTo("redis.example");
            assertThat(redis.port()).isEqualTo(6380);
            assertThat(redis.isRunning()).isTrue();
        }
    }

    @Test
    void externalServerWithoutPortUsesTheDefault() {
        try (RedisServer redis = new RedisServer("redis://redis.example")) {
            assertThat(redis.port()).isEqualTo(6379);
        }
    }

    @Test
    void faultOperationsAreRefusedForAnExternalServer() {
        try (RedisServer redis = new RedisServer("redis://redis.example:6380")) {
            assertThatThrownBy(redis::stop).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("REDIS_URL");
            assertThatThrownBy(redis::kill).isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(redis::restart).isInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Test
    void blankUrlMeansALocalServer() {
        try (RedisServer redis = new RedisServer(" ")) {
            assertThatThrownBy(redis::uri).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("not started");
        }
    }
}
