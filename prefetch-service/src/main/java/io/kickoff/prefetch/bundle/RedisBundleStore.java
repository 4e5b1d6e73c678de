package io.kickoff.prefetch.bundle;

import com.google.protobuf.InvalidProtocolBufferException;
import io.kickoff.protocol.v1.Bundle;
import io.lettuce.core.KeyValue;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bundles in Redis, laid out after a key-value abstraction: namespace → id (the segment) → items
 * (one per event), each item with its own TTL.
 *
 * <ul>
 *   <li>item: {@code <ns>:{<segment>}:item:<eventId>} = bundle bytes (binary protobuf), {@code PX ttl};</li>
 *   <li>index: {@code <ns>:{<segment>}:idx}, a sorted set of event ids scored by expiry (epoch ms),
 *       trimmed of expired members on every listing.</li>
 * </ul>
 * The segment is a hash tag, so all keys of one id live in one cluster slot; a put writes item and
 * index atomically (one Lua script). Uses Lettuce's asynchronous API on one shared connection.
 */
public final class RedisBundleStore implements BundleStore {
    private static final Logger log = LoggerFactory.getLogger(RedisBundleStore.class);
    public static final String DEFAULT_NAMESPACE = "kickoff:bundles";
    private static final Pattern LEGAL_NAMESPACE = Pattern.compile("[A-Za-z0-9:._-]{1,100}");
    private static final String PUT_SCRIPT = """
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
            return 1
            """;

    private final RedisClient ownedClient;
    private final StatefulRedisConnection<String, byte[]> connection;
    private final RedisAsyncCommands<String, byte[]> redis;
    private final String namespace;
    private final Clock clock;

    /** Uses (and closes) its own connection of {@code client}; the client stays the caller's. */
    public RedisBundleStore(RedisClient client, String namespace, Clock clock) {
        this(null, client, namespace, clock);
    }

    private RedisBundleStore(RedisClient ownedClient, RedisClient client, String namespace, Clock clock) {
        if (!LEGAL_NAMESPACE.matcher(namespace).matches()) {
            throw new IllegalArgumentException("illegal namespace '" + namespace + "'");
        }
        this.ownedClient = ownedClient;
        this.connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
        this.redis = connection.async();
        this.namespace = namespace;
        this.clock = clock;
    }

    /** A store with its own client, connected to {@code uri} (e.g. {@code redis://127.0.0.1:6379}). */
    public static RedisBundleStore connect(String uri, String namespace) {
        RedisClient client = RedisClient.create(uri);
        try {
            return new RedisBundleStore(client, client, namespace, Clock.systemUTC());
        } catch (RuntimeException e) {
            client.shutdown();
            throw e;
        }
    }

    String itemKey(String segment, String eventId) {
        return namespace + ":{" + segment + "}:item:" + eventId;
    }

    String indexKey(String segment) {
        return namespace + ":{" + segment + "}:idx";
    }

    @Override
    public CompletableFuture<Optional<Bundle>> get(String eventId, String segment) {
        return redis.get(itemKey(segment, eventId)).toCompletableFuture()
                .thenApply(bytes -> bytes == null ? Optional.<Bundle>empty() : parse(bytes));
    }

    @Override
    public CompletableFuture<Void> put(Bundle bundle, Duration ttl) {
        BundleStore.checkTtl(ttl);
        long ttlMs = Math.max(1, ttl.toMillis());
        long expiresAtMs = clock.millis() + ttlMs;
        String[] keys = {itemKey(bundle.getSegment(), bundle.getEventId()), indexKey(bundle.getSegment())};
        return redis.<Long>eval(PUT_SCRIPT, ScriptOutputType.INTEGER, keys,
                        bundle.toByteArray(), ascii(Long.toString(ttlMs)), ascii(Long.toString(expiresAtMs)),
                        bundle.getEventId().getBytes(StandardCharsets.UTF_8))
                .toCompletableFuture()
                .thenApply(ok -> null);
    }

    @Override
    public CompletableFuture<Void> remove(String eventId, String segment) {
        CompletableFuture<Long> del = redis.del(itemKey(segment, eventId)).toCompletableFuture();
        CompletableFuture<Long> zrem = redis.zrem(indexKey(segment), eventId.getBytes(StandardCharsets.UTF_8))
                .toCompletableFuture();
        return CompletableFuture.allOf(del, zrem);
    }

    @Override
    public CompletableFuture<List<Bundle>> listBySegment(String segment) {
        String index = indexKey(segment);
        long now = clock.millis();
        // Commands on one connection run in order: the trim happens before the range.
        redis.zremrangebyscore(index, Range.create(Double.NEGATIVE_INFINITY, (double) now));
        return redis.zrange(index, 0, -1).toCompletableFuture().thenCompose(members -> {
            if (members.isEmpty()) {
                return CompletableFuture.completedFuture(List.<Bundle>of());
            }
            String[] keys = members.stream()
                    .map(m -> itemKey(segment, new String(m, StandardCharsets.UTF_8)))
                    .toArray(String[]::new);
            return redis.mget(keys).toCompletableFuture().thenApply(values -> {
                List<Bundle> bundles = new ArrayList<>(values.size());
                for (KeyValue<String, byte[]> kv : values) {
                    if (kv.hasValue()) {
                        parse(kv.getValue()).ifPresent(bundles::add);
                    }
                }
                bundles.sort(Comparator.comparing(Bundle::getEventId));
                return bundles;
            });
        });
    }

    private static Optional<Bundle> parse(byte[] bytes) {
        try {
            return Optional.of(Bundle.parseFrom(bytes));
        } catch (InvalidProtocolBufferException e) {
            log.warn("unreadable bundle in Redis ignored: {}", e.getMessage());
            return Optional.empty();
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() {
        connection.close();
        if (ownedClient != null) {
            ownedClient.shutdown();
        }
    }
}
