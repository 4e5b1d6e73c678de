package io.kickoff.simulator;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/** What every device of one fleet shares. */
final class FleetContext {
    final FleetConfig config;
    final DeviceDialer dialer;
    final ConnectPacer pacer;
    final ConnectAllTracker connectAll;
    final FleetProgress progress = new FleetProgress();
    final ConnectionOutcomes outcomes = new ConnectionOutcomes();
    final BundleHoldings holdings = new BundleHoldings();
    /** Bundle cache figures and, per misbehaviour, how sessions ended. */
    final FleetCounters counters = new FleetCounters();
    /** Null when the fleet has no bundle API to fetch from. */
    final BundleFetcher bundles;
    private final AtomicBoolean closing = new AtomicBoolean();
    /** Every device decodes its own copy of each event id; keeping one saves a string per update per device. */
    private final ConcurrentHashMap<String, String> eventIds = new ConcurrentHashMap<>();

    FleetContext(FleetConfig config, DeviceDialer dialer, ConnectPacer pacer, ConnectAllTracker connectAll) {
        this.config = config;
        this.dialer = dialer;
        this.pacer = pacer;
        this.connectAll = connectAll;
        this.bundles = config.bundleApi() == null ? null : new BundleFetcher(config.bundleApi(), config.tlsTrust());
    }

    boolean isClosing() {
        return closing.get();
    }

    /** True for the caller that flipped it. */
    boolean markClosing() {
        return closing.compareAndSet(false, true);
    }

    String canonicalEventId(String eventId) {
        return canonical(eventId);
    }

    /** One shared copy of a string every device decodes alike (event ids, bundle versions). */
    String canonical(String value) {
        String existing = eventIds.putIfAbsent(value, value);
        return existing != null ? existing : value;
    }
}
