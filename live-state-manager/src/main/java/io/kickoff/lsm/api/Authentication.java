package io.kickoff.lsm.api;

import io.kickoff.http.BearerToken;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Says who calls: the bearer token must be one of the API's (401 with a {@code WWW-Authenticate} challenge otherwise),
 * and writes need an operator's (403 for a viewer's). Tokens are looked up by their SHA-256, never kept in clear.
 */
@ChannelHandler.Sharable
final class Authentication extends ExchangeStep {
    private final Map<String, AdminToken> tokensByFingerprint;

    /** @param tokens bearer token → its name (the actor in history) and role */
    Authentication(Map<String, AdminToken> tokens) {
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException("the admin API needs at least one bearer token");
        }
        Map<String, AdminToken> byFingerprint = new HashMap<>();
        tokens.forEach((token, who) -> {
            if (token == null || token.isBlank() || !token.strip().equals(token)) {
                throw new IllegalArgumentException("admin tokens must be non-blank, without surrounding spaces");
            }
            byFingerprint.put(AdminToken.fingerprint(token), Objects.requireNonNull(who, "token without name and role"));
        });
        this.tokensByFingerprint = Map.copyOf(byFingerprint);
    }

    @Override
    protected void step(ChannelHandlerContext ctx, Exchange exchange) {
        Exchange.Caller caller = caller(BearerToken.from(exchange.header("Authorization")));
        if (exchange.writes() && !caller.token().role().mayWrite()) {
            throw Problems.forbidden(caller.token());
        }
        exchange.caller(caller);
        ctx.fireChannelRead(exchange);
    }

    private Exchange.Caller caller(BearerToken credentials) {
        if (credentials instanceof BearerToken.Absent) {
            throw Problems.unauthorized("a bearer token is required: Authorization: Bearer <token>", Problems.CHALLENGE);
        }
        if (!(credentials instanceof BearerToken.Present present)) {
            throw Problems.unauthorized("only bearer tokens are accepted: Authorization: Bearer <token>",
                    Problems.CHALLENGE + ", error=\"invalid_request\"");
        }
        String fingerprint = AdminToken.fingerprint(present.token());
        AdminToken token = tokensByFingerprint.get(fingerprint);
        if (token == null) {
            throw Problems.unauthorized("unknown bearer token", Problems.CHALLENGE + ", error=\"invalid_token\"");
        }
        return new Exchange.Caller(fingerprint, token);
    }
}
