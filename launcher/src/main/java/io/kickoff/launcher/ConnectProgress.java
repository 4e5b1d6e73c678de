package io.kickoff.launcher;

import java.util.Map;
import java.util.TreeMap;

/**
 * Where a fleet's connections stand, as one progress line: {@code connecting: 45,012/100,000 welcomed, 44,990
 * connected, 55,010 connecting, failed: 503×12 refused×3, 40 reconnects}. The same line for one process and for the
 * sum over {@code --workers}.
 */
record ConnectProgress(long welcomed, long connected, long connecting, Map<String, Long> failures, long reconnects) {
    ConnectProgress {
        failures = new TreeMap<>(failures);
    }

    ConnectProgress plus(ConnectProgress other) {
        Map<String, Long> sum = new TreeMap<>(failures);
        other.failures.forEach((cause, n) -> sum.merge(cause, n, Long::sum));
        return new ConnectProgress(welcomed + other.welcomed, connected + other.connected, connecting + other.connecting,
                sum, reconnects + other.reconnects);
    }

    static ConnectProgress none() {
        return new ConnectProgress(0, 0, 0, Map.of(), 0);
    }

    String line(String phase, long devices) {
        StringBuilder line = new StringBuilder(String.format("%s: %,d/%,d welcomed, %,d connected, %,d connecting",
                phase, welcomed, devices, connected, connecting));
        if (!failures.isEmpty()) {
            line.append(", failed:");
            failures.forEach((cause, n) -> line.append(' ').append(cause).append('×').append(String.format("%,d", n)));
        }
        return line.append(String.format(", %,d reconnects", reconnects)).toString();
    }
}
