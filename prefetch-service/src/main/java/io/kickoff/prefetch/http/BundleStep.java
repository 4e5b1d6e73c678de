package io.kickoff.prefetch.http;

import io.kickoff.http.Step;

/** A step of the bundle API pipeline; what it throws fails the call, and the connection is closed (logged). */
abstract class BundleStep extends Step<BundleCall> {

    BundleStep() {
        super(BundleCall.class);
    }

    @Override
    protected final void failed(BundleCall call, RuntimeException error) {
        call.fail(error);
    }
}
