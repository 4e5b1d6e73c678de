package io.kickoff.simulator;

import java.net.ConnectException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the fleet's connection attempts came to, for progress lines: failed attempts by cause, and reconnects of
 * devices that had been welcomed before. Counted from every event loop at once, read now and then.
 */
final class ConnectionOutcomes {
    private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
    private final LongAdder reconnects = new LongAdder();

    void failed(DeviceConnectException failure) {
        failures.computeIfAbsent(cause(failure), c -> new LongAdder()).increment();
    }

    void reconnecting() {
        reconnects.increment();
    }

    /** Failed attempts by cause ({@code 503}, {@code 401}, {@code refused}, {@code timeout}, {@code closed}...). */
    Map<String, Long> failures() {
        Map<String, Long> copy = new TreeMap<>();
        failures.forEach((cause, n) -> copy.put(cause, n.sum()));
        return copy;
    }

    long reconnects() {
        return reconnects.sum();
    }

    static String cause(DeviceConnectException failure) {
        if (failure.httpStatus().isPresent()) {
            return Integer.toString(failure.httpStatus().getAsInt());
        }
        for (Throwable t = failure.getCause(); t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return "refused";
            }
            if (t instanceof io.netty.handler.timeout.TimeoutException || t instanceof java.util.concurrent.TimeoutException
                    || t instanceof io.netty.channel.ConnectTimeoutException) {
                return "timeout";
            }
        }
        return "closed";
    }
}
