package io.kickoff.lsm.api;

import io.kickoff.http.LogText;
import io.kickoff.lsm.idempotency.Idempotency;
import io.kickoff.lsm.idempotency.StoredResponse;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a write sent with an {@code Idempotency-Key} happen at most once: its first answer below 500 is kept in
 * {@link Idempotency} for {@link #TTL} under the key scoped by token, method and decoded path, and a retry gets that
 * answer again ({@code Idempotent-Replayed: true}) without any change being made. The same key with another body
 * (compared as JSON: key order and whitespace do not matter) is refused with 422. Of two concurrent first requests,
 * the one whose answer is stored second answers with the first one's. Reads, and writes without the header, go on
 * untouched.
 */
@ChannelHandler.Sharable
final class Idempotent extends ExchangeStep {
    private static final Logger log = LoggerFactory.getLogger(Idempotent.class);
    static final String HEADER = "Idempotency-Key";
    static final Duration TTL = Duration.ofHours(24);
    static final int MAX_KEY = 255;
    private static final Pattern KEY_CHARS = Pattern.compile("[\\x20-\\x7e]+");

    private final Idempotency idempotency;
    private final Problems problems;

    Idempotent(Idempotency idempotency, Problems problems) {
        this.idempotency = idempotency;
        this.problems = problems;
    }

    @Override
    protected void step(ChannelHandlerContext ctx, Exchange exchange) {
        String key = exchange.writes() ? exchange.header(HEADER) : null;
        if (key != null) {
            exchange.action(once(exchange, key(key), exchange.action()));
        }
        ctx.fireChannelRead(exchange);
    }

    /** The key as sent, without surrounding spaces or quotes; 400 unless 1 to 255 printable ASCII characters. */
    private static String key(String header) {
        String key = header.strip();
        if (key.length() >= 2 && key.startsWith("\"") && key.endsWith("\"")) {
            key = key.substring(1, key.length() - 1);
        }
        if (key.isEmpty() || key.length() > MAX_KEY || !KEY_CHARS.matcher(key).matches()) {
            throw ApiError.invalid(HEADER, "Idempotency-Key must be 1 to " + MAX_KEY
                    + " printable ASCII characters, e.g. a UUID");
        }
        return key;
    }

    private Supplier<CompletableFuture<Answer>> once(Exchange exchange, String key,
                                                     Supplier<CompletableFuture<Answer>> action) {
        String method = exchange.method().name();
        // the decoded path: /v1/events/e%31 and /v1/events/e1 are one resource
        String id = exchange.route().parameter("id");
        String resource = exchange.route().route().template() + (id == null ? "" : "\n" + id);
        String scoped = "admin:idem:" + AdminToken.fingerprint(exchange.caller().fingerprint() + '\n' + method + '\n'
                + resource + '\n' + key);
        String requestHash = AdminToken.fingerprint(method + '\n' + resource + '\n'
                + new String(Json.canonical(exchange.json()), StandardCharsets.UTF_8));
        return () -> idempotency.lookup(scoped).thenCompose(found -> {
            if (found.isPresent()) {
                return CompletableFuture.completedFuture(replay(found.get(), requestHash));
            }
            return action.get()
                    .handle((answer, error) -> error == null ? answer : problems.of(error, exchange.path()))
                    .thenCompose(answer -> {
                        if (answer.status() >= 500) {
                            return CompletableFuture.completedFuture(answer);
                        }
                        return idempotency.remember(scoped, answer.stored(requestHash), TTL)
                                .handle((stored, error) -> {
                                    if (error != null) {
                                        log.warn("could not store the answer to {} {} under its idempotency key: {}",
                                                method, LogText.escape(exchange.path()), Problems.unwrap(error).toString());
                                        return answer;
                                    }
                                    return answer.sameAs(stored) ? answer : replay(stored, requestHash);
                                });
                    });
        });
    }

    private static Answer replay(StoredResponse stored, String requestHash) {
        if (!stored.requestHash().equals(requestHash)) {
            throw Problems.idempotencyKeyReused();
        }
        return Answer.replay(stored);
    }
}
