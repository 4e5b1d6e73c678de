package io.kickoff.lsm.api;

import io.kickoff.http.Step;

/**
 * A step of the admin API pipeline. Anything it throws answers the exchange with the matching problem
 * ({@link Problems#of}); the connection stays up.
 */
abstract class ExchangeStep extends Step<Exchange> {

    ExchangeStep() {
        super(Exchange.class);
    }

    @Override
    protected final void failed(Exchange exchange, RuntimeException error) {
        exchange.fail(error);
    }
}
