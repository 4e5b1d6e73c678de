package io.kickoff.simulator;

import java.util.Arrays;
import java.util.Locale;

/**
 * A way a device breaks the protocol on purpose, to show what the gateway answers (protocol.md §2, §6, §7).
 * A fleet gives each kind a share of its devices ({@link MisbehaviourPlan}); the others behave.
 */
public enum Misbehaviour {
    /** Stops reading its socket after the welcome, so the gateway's write buffer fills: 4001 (device may see 1006). */
    SLOW_READER("slow-reader"),
    /** Sends a frame that does not decode after every welcome: 1007 {@code MALFORMED_FRAME}. */
    GARBAGE("garbage"),
    /**
     * Once the fleet is connected, drops its connection right after every welcome and reconnects at once,
     * ignoring backoff and {@code Retry-After}: admission control answers 503 (or 429) with {@code Retry-After}.
     */
    RECONNECT_STORM("reconnect-storm"),
    /** Its clock is off by {@link FleetConfig#clockSkew()}; it corrects receipt times with the welcome's server time. */
    CLOCK_SKEW("clock-skew"),
    /** Upgrades but never sends hello: 1008 after the gateway's hello timeout. */
    SILENT("silent");

    private final String label;

    Misbehaviour(String label) {
        this.label = label;
    }

    /** The name used on the command line and in reports, e.g. {@code slow-reader}. */
    public String label() {
        return label;
    }

    public static Misbehaviour ofLabel(String label) {
        String wanted = label.trim().toLowerCase(Locale.ROOT);
        for (Misbehaviour kind : values()) {
            if (kind.label.equals(wanted)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown misbehaviour '" + label + "'; known: "
                + Arrays.stream(values()).map(Misbehaviour::label).toList());
    }
}
