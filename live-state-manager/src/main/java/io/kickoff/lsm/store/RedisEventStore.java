package io.kickoff.lsm.store;

import io.kickoff.lsm.event.Commit;
import io.kickoff.lsm.event.DeposedLeaderException;
import io.kickoff.lsm.event.EventExistsException;
import io.kickoff.lsm.event.EventStore;
import io.kickoff.lsm.event.HistoryEntry;
import io.kickoff.lsm.event.LeaderLease;
import io.kickoff.lsm.event.LiveEvent;
import io.kickoff.lsm.event.OutboxEntry;
import io.kickoff.lsm.event.Page;
import io.kickoff.lsm.event.UnknownEventException;
import io.kickoff.lsm.event.VersionConflictException;
import io.kickoff.protocol.v1.Stage;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.resource.ClientResources;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The durable {@link EventStore} of the {@code embedded} and {@code external} modes, on one Redis server (standalone or
 * a primary, tested with Redis 6.2; not Redis Cluster, since commits touch several keys). Every write that must be
 * all-or-nothing is one Lua script, so a crash or a concurrent writer can never leave an event without its history
 * line, its outbox entry or its place in the indexes.
 *
 * <h2>Key layout</h2>
 * With {@code P} the key prefix ({@code kickoff:} by default):
 * <table>
 * <caption>Keys</caption>
 * <tr><th>key</th><th>type</th><th>holds</th></tr>
 * <tr><td>{@code P event:<id>}</td><td>hash</td><td>{@code version} (decimal), {@code stage} (the Stage number) and
 *     {@code data} (the event as JSON); the first two let the scripts check and index without parsing JSON</td></tr>
 * <tr><td>{@code P events}</td><td>sorted set, all scores 0</td><td>every event id, so listing is lexicographic and
 *     a cursor is simply the last id returned</td></tr>
 * <tr><td>{@code P stage:<stage>}</td><td>sorted set, all scores 0</td><td>the ids in that stage
 *     ({@code scheduled}, {@code prefetch}, {@code pre_show}, {@code live}, {@code ended}, {@code cancelled})</td></tr>
 * <tr><td>{@code P timers}</td><td>sorted set</td><td>id → epoch milliseconds of the event's next timer, rounded up
 *     so an event is never due early; absent when the event has no timer</td></tr>
 * <tr><td>{@code P history:<id>}</td><td>list</td><td>the audit history as JSON lines, oldest first</td></tr>
 * <tr><td>{@code P outbox}</td><td>sorted set</td><td>score = outbox id; member =
 *     {@code <id>\n<event id>\n<enqueued at, ISO-8601>\n<StageUpdate protobuf bytes>}</td></tr>
 * <tr><td>{@code P outbox:seq}</td><td>string</td><td>counter ({@code INCR}) that numbers outbox entries</td></tr>
 * <tr><td>{@code P idem:<key>}</td><td>string, with TTL</td><td>the stored response of an idempotency key, kept by {@link RedisIdempotency}
 *     (JSON)</td></tr>
 * <tr><td>{@code P leader}, {@code P leader:epoch}</td><td>string</td><td>see {@link RedisLeaderLease}; the commit
 *     and outbox-removal scripts read {@code leader:epoch} to refuse a deposed leader's writes</td></tr>
 * </table>
 *
 * <h2>Failures</h2>
 * Commands time out after a short command timeout (2 s by default); timeouts, refused connections and a closed
 * connection fail the future with {@link io.kickoff.lsm.event.StoreUnavailableException}. Lettuce reconnects by itself
 * when Redis returns. A command that was in flight when the connection dropped is sent again after the reconnect; so
 * that such a replay of a {@code create} or {@code commit} that had in fact been applied does not report a conflict,
 * the scripts treat a write whose record and history line are already exactly in place as done.
 *
 * <h2>Threads</h2>
 * Futures complete on Lettuce's I/O threads: callers must not block in their callbacks (least of all on another call
 * to this store, which would wait for the very thread it blocks).
 */
public final class RedisEventStore implements EventStore, AutoCloseable {

    /** The default key prefix. */
    public static final String DEFAULT_PREFIX = "kickoff:";

    /** Stage numbers 1..6 (SCHEDULED..CANCELLED) are the stages that events can be in. */
    private static final int FIRST_STAGE = Stage.SCHEDULED_VALUE;
    private static final int LAST_STAGE = Stage.CANCELLED_VALUE;
    private static final byte[] NO_BYTES = new byte[0];

    private static final LuaScript CREATE = new LuaScript("""
            -- KEYS: event, history, events, timers, stage set
            -- ARGV: id, version, stage number, data, history line, timer score or ''
            if redis.call('EXISTS', KEYS[1]) == 1 then
              if redis.call('HGET', KEYS[1], 'data') == ARGV[4] and redis.call('LLEN', KEYS[2]) == 1
                  and redis.call('LINDEX', KEYS[2], 0) == ARGV[5] then
                return 1
              end
              return 0
            end
            redis.call('HSET', KEYS[1], 'version', ARGV[2], 'stage', ARGV[3], 'data', ARGV[4])
            redis.call('DEL', KEYS[2])
            redis.call('RPUSH', KEYS[2], ARGV[5])
            redis.call('ZADD', KEYS[3], 0, ARGV[1])
            redis.call('ZADD', KEYS[5], 0, ARGV[1])
            if ARGV[6] ~= '' then
              redis.call('ZADD', KEYS[4], ARGV[6], ARGV[1])
            end
            return 1
            """);

    private static final LuaScript COMMIT = new LuaScript("""
            -- KEYS: event, history, timers, outbox, outbox seq, the stage sets of stages 1..6, leader epoch
            -- ARGV: id, expected version, new version, new stage number, data, history line, timer score or '',
            --       '1' if there is a stage update, enqueued at, stage update bytes, fencing token or ''
            if ARGV[11] ~= '' then
              local epoch = tonumber(redis.call('GET', KEYS[12]) or '0')
              if tonumber(ARGV[11]) < epoch then
                return {3, epoch}
              end
            end
            local version = redis.call('HGET', KEYS[1], 'version')
            if not version then
              return {1}
            end
            if version ~= ARGV[2] then
              if version == ARGV[3] and redis.call('HGET', KEYS[1], 'data') == ARGV[5]
                  and redis.call('LINDEX', KEYS[2], -1) == ARGV[6] then
                return {0}
              end
              return {2, tonumber(version)}
            end
            local oldStage = tonumber(redis.call('HGET', KEYS[1], 'stage'))
            local newStage = tonumber(ARGV[4])
            redis.call('HSET', KEYS[1], 'version', ARGV[3], 'stage', ARGV[4], 'data', ARGV[5])
            if oldStage ~= newStage then
              redis.call('ZREM', KEYS[5 + oldStage], ARGV[1])
              redis.call('ZADD', KEYS[5 + newStage], 0, ARGV[1])
            end
            redis.call('RPUSH', KEYS[2], ARGV[6])
            if ARGV[7] == '' then
              redis.call('ZREM', KEYS[3], ARGV[1])
            else
              redis.call('ZADD', KEYS[3], ARGV[7], ARGV[1])
            end
            if ARGV[8] == '1' then
              local n = string.format('%d', redis.call('INCR', KEYS[5]))
              redis.call('ZADD', KEYS[4], n, n .. '\\n' .. ARGV[1] .. '\\n' .. ARGV[9] .. '\\n' .. ARGV[10])
            end
            return {0}
            """);

    private static final LuaScript REMOVE_FROM_OUTBOX = new LuaScript("""
            -- KEYS: outbox, leader epoch; ARGV: fencing token, then the outbox ids. Returns -epoch if the token is stale.
            local epoch = tonumber(redis.call('GET', KEYS[2]) or '0')
            if tonumber(ARGV[1]) < epoch then
              return -epoch
            end
            for i = 2, #ARGV do
              redis.call('ZREMRANGEBYSCORE', KEYS[1], ARGV[i], ARGV[i])
            end
            return #ARGV - 1
            """);

    private static final LuaScript OUTBOX_STATS = new LuaScript("""
            local oldest = redis.call('ZRANGE', KEYS[1], 0, 0)
            return {redis.call('ZCARD', KEYS[1]), oldest[1]}
            """);


    private final StatefulRedisConnection<String, byte[]> connection;
    private final RedisAsyncCommands<String, byte[]> redis;
    private final String prefix;
    private final Clock clock;
    private final String eventsKey;
    private final String timersKey;
    private final String outboxKey;
    private final String outboxSeqKey;
    private final String leaderEpochKey;
    private final String[] stageKeys;
    /** What {@link #close()} shuts down, in order. */
    private final AutoCloseable[] owned;

    /** Connects to {@code uri} (e.g. {@code redis://127.0.0.1:6379}) with the default prefix, timeout and clock. */
    public RedisEventStore(String uri) {
        this(uri, DEFAULT_PREFIX, RedisConnections.DEFAULT_COMMAND_TIMEOUT, Clock.systemUTC());
    }

    /** Connects to {@code uri} with the given key prefix and the default timeout and clock. */
    public RedisEventStore(String uri, String keyPrefix) {
        this(uri, keyPrefix, RedisConnections.DEFAULT_COMMAND_TIMEOUT, Clock.systemUTC());
    }

    /**
     * Connects to {@code uri}, blocking until connected; {@link io.kickoff.lsm.event.StoreUnavailableException} if
     * Redis cannot be reached within {@code commandTimeout}. The store owns the client and closes it.
     *
     * @param clock stamps outbox entries ({@link OutboxEntry#enqueuedAt()})
     */
    public RedisEventStore(String uri, String keyPrefix, Duration commandTimeout, Clock clock) {
        this(open(uri, keyPrefix, commandTimeout, clock), keyPrefix, clock);
    }

    /**
     * Opens a connection of its own on {@code client} (blocking until connected) and closes it on {@link #close()};
     * the client stays the caller's. Give the client {@link RedisConnections#clientOptions(Duration)} so an outage
     * fails fast.
     */
    public RedisEventStore(RedisClient client, String keyPrefix, Clock clock) {
        this(open(client, keyPrefix, clock), keyPrefix, clock);
    }

    /** Uses {@code connection} as it is; {@link #close()} leaves it open. */
    public RedisEventStore(StatefulRedisConnection<String, byte[]> connection, String keyPrefix, Clock clock) {
        this(new Opened(Objects.requireNonNull(connection, "connection")), keyPrefix, clock);
    }

    private RedisEventStore(Opened opened, String keyPrefix, Clock clock) {
        this.connection = opened.connection();
        this.redis = connection.async();
        this.prefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.owned = opened.owned();
        this.eventsKey = prefix + "events";
        this.timersKey = prefix + "timers";
        this.outboxKey = prefix + "outbox";
        this.outboxSeqKey = prefix + "outbox:seq";
        this.leaderEpochKey = prefix + "leader:epoch";   // RedisLeaderLease's counter
        this.stageKeys = stageKeys(prefix);
    }

    /** A connection, and what closing the store must shut down (only what the store created itself). */
    private record Opened(StatefulRedisConnection<String, byte[]> connection, AutoCloseable... owned) {
    }

    private static Opened open(String uri, String keyPrefix, Duration commandTimeout, Clock clock) {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(keyPrefix, "keyPrefix");
        Objects.requireNonNull(commandTimeout, "commandTimeout");
        Objects.requireNonNull(clock, "clock");
        ClientResources resources = RedisConnections.clientResources();
        AutoCloseable shutdownResources = () -> resources.shutdown(0, 2, TimeUnit.SECONDS).get(3, TimeUnit.SECONDS);
        RedisClient client;
        try {
            client = RedisConnections.client(resources, uri, commandTimeout);
        } catch (RuntimeException e) {
            resources.shutdown();
            throw e;
        }
        try {
            return new Opened(RedisConnections.connect(client), client::shutdown, shutdownResources);
        } catch (RuntimeException e) {
            client.shutdown();
            resources.shutdown();
            throw e;
        }
    }

    private static Opened open(RedisClient client, String keyPrefix, Clock clock) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(keyPrefix, "keyPrefix");
        Objects.requireNonNull(clock, "clock");
        StatefulRedisConnection<String, byte[]> connection = RedisConnections.connect(client);
        return new Opened(connection, connection);
    }

    /** A leader lease on the same connection and key prefix; it stops working when this store is closed. */
    public LeaderLease leaderLease() {
        return new RedisLeaderLease(connection, prefix);
    }

    /** Idempotency keys on the same connection and key prefix; they stop working when this store is closed. */
    public RedisIdempotency idempotency() {
        return new RedisIdempotency(connection, prefix);
    }

    String keyPrefix() {
        return prefix;
    }

    @Override
    public CompletableFuture<Optional<LiveEvent>> find(String id) {
        return RedisCalls.call(() -> redis.hget(eventKey(id), "data"),
                data -> Optional.ofNullable(data == null ? null : StoredForms.event(data)));
    }

    @Override
    public CompletableFuture<Page<LiveEvent>> list(Optional<Stage> stage, String cursor, int limit) {
        return RedisCalls.attempt(() -> {
            requirePositive(limit);
            String key = stage.map(this::stageKey).orElse(eventsKey);
            Range<byte[]> after = Range.from(cursor == null || cursor.isEmpty()
                    ? Range.Boundary.unbounded() : Range.Boundary.excluding(utf8(cursor)), Range.Boundary.unbounded());
            // One more than asked for tells whether there is a next page.
            CompletableFuture<Page<LiveEvent>> page = RedisCalls
                    .call(() -> redis.zrangebylex(key, after, Limit.create(0, limit + 1)), ids -> ids)
                    .thenCompose(ids -> {
                        List<byte[]> wanted = ids.subList(0, Math.min(limit, ids.size()));
                        List<CompletableFuture<Optional<LiveEvent>>> reads = new ArrayList<>(wanted.size());
                        for (byte[] id : wanted) {
                            reads.add(find(utf8(id)));
                        }
                        String next = ids.size() > limit ? utf8(wanted.get(wanted.size() - 1)) : "";
                        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(done -> {
                            List<LiveEvent> items = new ArrayList<>(reads.size());
                            reads.forEach(read -> read.join().ifPresent(items::add));
                            return new Page<>(List.copyOf(items), next);
                        });
                    });
            // Fail with the cause itself, as every other method does, not with a CompletionException around it.
            return RedisCalls.call(() -> page, done -> done);
        });
    }

    @Override
    public CompletableFuture<LiveEvent> create(LiveEvent event, HistoryEntry created) {
        return RedisCalls.attempt(() -> {
            String id = event.id();
            String[] keys = {eventKey(id), historyKey(id), eventsKey, timersKey, stageKey(event.stage())};
            byte[][] args = {utf8(id), utf8(Long.toString(event.version())), utf8(stageNumber(event.stage())),
                    StoredForms.event(event), StoredForms.history(Objects.requireNonNull(created, "created")),
                    utf8(timerScore(event))};
            return RedisCalls.<Long, LiveEvent>call(() -> CREATE.run(redis, ScriptOutputType.INTEGER, keys, args),
                    reply -> {
                        if (reply == 0) {
                            throw new EventExistsException(id);
                        }
                        return event;
                    });
        });
    }

    @Override
    public CompletableFuture<LiveEvent> commit(Commit commit) {
        return RedisCalls.attempt(() -> {
            LiveEvent event = commit.event();
            String id = event.id();
            String[] keys = new String[6 + stageKeys.length];
            keys[0] = eventKey(id);
            keys[1] = historyKey(id);
            keys[2] = timersKey;
            keys[3] = outboxKey;
            keys[4] = outboxSeqKey;
            System.arraycopy(stageKeys, 0, keys, 5, stageKeys.length);
            keys[5 + stageKeys.length] = leaderEpochKey;
            byte[][] args = {utf8(id), utf8(Long.toString(commit.expectedVersion())),
                    utf8(Long.toString(event.version())), utf8(stageNumber(event.stage())), StoredForms.event(event),
                    StoredForms.history(Objects.requireNonNull(commit.history(), "history")), utf8(timerScore(event)),
                    utf8(commit.update().isPresent() ? "1" : "0"), utf8(clock.instant().toString()),
                    commit.update().map(update -> update.toByteArray()).orElse(NO_BYTES),
                    utf8(commit.fencingToken().isPresent() ? Long.toString(commit.fencingToken().getAsLong()) : "")};
            return RedisCalls.<List<Object>, LiveEvent>call(
                    () -> COMMIT.run(redis, ScriptOutputType.MULTI, keys, args), reply -> {
                        long code = (Long) reply.get(0);
                        if (code == 0) {
                            return event;
                        }
                        if (code == 1) {
                            throw new UnknownEventException(id);
                        }
                        if (code == 3) {
                            throw new DeposedLeaderException(commit.fencingToken().getAsLong(), (Long) reply.get(1));
                        }
                        throw new VersionConflictException(id, commit.expectedVersion(), (Long) reply.get(1));
                    });
        });
    }

    @Override
    public CompletableFuture<List<HistoryEntry>> history(String id) {
        return RedisCalls.call(() -> redis.lrange(historyKey(id), 0, -1),
                lines -> lines.stream().map(StoredForms::history).toList());
    }

    @Override
    public CompletableFuture<List<String>> due(Instant now, int limit) {
        return RedisCalls.attempt(() -> {
            requirePositive(limit);
            Range<Long> until = Range.from(Range.Boundary.unbounded(), Range.Boundary.including(now.toEpochMilli()));
            return RedisCalls.call(() -> redis.zrangebyscore(timersKey, until, Limit.create(0, limit)),
                    ids -> ids.stream().map(RedisEventStore::utf8).toList());
        });
    }

    @Override
    public CompletableFuture<List<OutboxEntry>> outbox(int limit) {
        return RedisCalls.attempt(() -> {
            requirePositive(limit);
            return RedisCalls.call(() -> redis.zrange(outboxKey, 0, limit - 1),
                    members -> members.stream().map(RedisEventStore::outboxEntry).toList());
        });
    }

    @Override
    public CompletableFuture<Void> removeFromOutbox(List<OutboxEntry> published, long fencingToken) {
        byte[][] args = new byte[published.size() + 1][];
        args[0] = utf8(Long.toString(fencingToken));
        for (int i = 0; i < published.size(); i++) {
            args[i + 1] = utf8(Long.toString(published.get(i).id()));
        }
        return RedisCalls.call(() -> REMOVE_FROM_OUTBOX.<Long>run(redis, ScriptOutputType.INTEGER,
                new String[] {outboxKey, leaderEpochKey}, args), removed -> {
                    if (removed < 0) {
                        throw new DeposedLeaderException(fencingToken, -removed);
                    }
                    return null;
                });
    }

    @Override
    public CompletableFuture<OutboxStats> outboxStats() {
        return RedisCalls.call(() -> OUTBOX_STATS.<List<Object>>run(redis, ScriptOutputType.MULTI,
                new String[] {outboxKey}), reply -> new OutboxStats((Long) reply.get(0), reply.size() < 2
                ? Optional.empty() : Optional.of(outboxEntry((byte[]) reply.get(1)).enqueuedAt())));
    }



    @Override
    public CompletableFuture<Void> ping() {
        return RedisCalls.call(redis::ping, pong -> null);
    }

    /**
     * Closes what this store opened itself (blocking, briefly). Not to be called from a callback of one of its
     * futures.
     */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (AutoCloseable closeable : owned) {
            try {
                closeable.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("closing the Redis store failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    // ------------------------------------------------------------------ keys and encodings

    private String eventKey(String id) {
        return prefix + "event:" + id;
    }

    private String historyKey(String id) {
        return prefix + "history:" + id;
    }

    private String stageKey(Stage stage) {
        return prefix + "stage:" + stage.name().toLowerCase(Locale.ROOT);
    }


    private static String[] stageKeys(String prefix) {
        String[] keys = new String[LAST_STAGE - FIRST_STAGE + 1];
        for (int number = FIRST_STAGE; number <= LAST_STAGE; number++) {
            keys[number - FIRST_STAGE] = prefix + "stage:" + Stage.forNumber(number).name().toLowerCase(Locale.ROOT);
        }
        return keys;
    }

    private static String stageNumber(Stage stage) {
        int number = stage.getNumber();
        if (number < FIRST_STAGE || number > LAST_STAGE) {
            throw new IllegalArgumentException("an event cannot be in stage " + stage);
        }
        return Integer.toString(number);
    }

    /** The event's next timer in epoch milliseconds, rounded up so that it is never reported due early; '' if none. */
    private static String timerScore(LiveEvent event) {
        return event.nextTimer().map(timer -> {
            Instant at = timer.at();
            long millis = at.toEpochMilli();
            return Long.toString(at.getNano() % 1_000_000 == 0 ? millis : millis + 1);
        }).orElse("");
    }

    /** Parses {@code <id>\n<event id>\n<enqueued at>\n<stage update bytes>}. */
    private static OutboxEntry outboxEntry(byte[] member) {
        int first = indexOf(member, 0);
        int second = indexOf(member, first + 1);
        int third = indexOf(member, second + 1);
        long id = Long.parseLong(new String(member, 0, first, StandardCharsets.UTF_8));
        String eventId = new String(member, first + 1, second - first - 1, StandardCharsets.UTF_8);
        Instant enqueuedAt = Instant.parse(new String(member, second + 1, third - second - 1, StandardCharsets.UTF_8));
        return new OutboxEntry(id, eventId, Arrays.copyOfRange(member, third + 1, member.length), enqueuedAt);
    }

    private static int indexOf(byte[] member, int from) {
        for (int i = from; i < member.length; i++) {
            if (member[i] == '\n') {
                return i;
            }
        }
        throw new IllegalStateException("malformed outbox entry");
    }

    private static void requirePositive(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, not " + limit);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
