package io.kickoff.lsm.api;

import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * What {@code /readyz} reports: whether the store and the bus can be used, each as last observed. Both are asked on an
 * event loop, so they must answer at once from state kept up to date elsewhere, never wait for the store or the bus.
 */
public record Readiness(BooleanSupplier store, BooleanSupplier bus) {
    public Readiness {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(bus, "bus");
    }
}
