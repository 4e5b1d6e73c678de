package io.kickoff.lsm.store;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;

/**
 * A server-side script, sent by digest ({@code EVALSHA}) and in full ({@code EVAL}) only when the server does not
 * know it yet, e.g. after a restart emptied its script cache.
 */
final class LuaScript {
    private final String source;
    private final String sha1;

    LuaScript(String source) {
        this.source = source;
        try {
            this.sha1 = HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-1", e);
        }
    }

    <T> CompletableFuture<T> run(RedisAsyncCommands<String, byte[]> redis, ScriptOutputType type, String[] keys,
                                 byte[]... args) {
        CompletableFuture<T> bySha = redis.<T>evalsha(sha1, type, keys, args).toCompletableFuture();
        return bySha.exceptionallyCompose(error -> RedisCalls.unwrap(error) instanceof RedisNoScriptException
                ? redis.<T>eval(source, type, keys, args).toCompletableFuture()
                : CompletableFuture.failedFuture(error));
    }
}
