package io.kickoff.lsm.api;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** {@code GET /v1/me}: who the bearer token is, so that a page shows a viewer no write controls. */
final class Identity {
    private Identity() {
    }

    static Supplier<CompletableFuture<Answer>> me(Exchange exchange) {
        AdminToken token = exchange.caller().token();
        Views.Caller caller = new Views.Caller(token.name(), token.role().name(), token.role().mayWrite());
        return () -> CompletableFuture.completedFuture(Answer.json(200, caller));
    }
}
