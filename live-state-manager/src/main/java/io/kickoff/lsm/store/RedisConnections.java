package io.kickoff.lsm.store;

import io.kickoff.lsm.event.StoreUnavailableException;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * How the Redis-backed stores talk to Redis: text keys, binary values, and options that make an unreachable server
 * fail fast (so the admin API can answer 503) and a returning one be picked up again quickly. Use these when you
 * build the {@link RedisClient} yourself, or let {@link RedisEventStore#RedisEventStore(String)} do it.
 */
final class RedisConnections {

    /** Keys are text; values (event records, protobuf stage updates, response bodies) are bytes. */
    public static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    /** Short enough that a caller learns of an outage in time to answer 503, long enough for a busy server. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(2);

    /** Commands waiting for a reconnect beyond this are refused rather than piling up in memory. */
    static final int REQUEST_QUEUE_SIZE = 10_000;

    private RedisConnections() {
    }

    /**
     * Every command, including those buffered while disconnected, fails after {@code commandTimeout}; the connection
     * reconnects by itself when the server returns.
     */
    public static ClientOptions clientOptions(Duration commandTimeout) {
        return ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                .requestQueueSize(REQUEST_QUEUE_SIZE)
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .socketOptions(SocketOptions.builder().connectTimeout(commandTimeout).keepAlive(true).build())
                .build();
    }

    /**
     * Reconnect attempts back off from 50 ms to at most 1 s (Lettuce's default grows to 30 s, which would keep the
     * LSM unavailable long after Redis is back).
     */
    public static ClientResources clientResources() {
        return ClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                .build();
    }

    /** A client for {@code uri} (e.g. {@code redis://127.0.0.1:6379}) with {@link #clientOptions(Duration)}. */
    public static RedisClient client(ClientResources resources, String uri, Duration commandTimeout) {
        RedisURI redisUri = RedisURI.create(Objects.requireNonNull(uri, "uri"));
        redisUri.setTimeout(commandTimeout);
        RedisClient client = RedisClient.create(resources, redisUri);
        client.setOptions(clientOptions(commandTimeout));
        return client;
    }

    /**
     * Connects (blocking, bounded by the connect timeout); {@link StoreUnavailableException} if Redis cannot be
     * reached.
     */
    public static StatefulRedisConnection<String, byte[]> connect(RedisClient client) {
        try {
            return client.connect(CODEC);
        } catch (RuntimeException e) {
            throw new StoreUnavailableException("cannot connect to Redis: " + e.getMessage(), e);
        }
    }
}
