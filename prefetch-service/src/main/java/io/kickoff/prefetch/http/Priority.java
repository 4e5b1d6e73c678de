package io.kickoff.prefetch.http;

import java.util.Locale;

/** The {@code X-Priority} of a bundle request. Requests without one (or with an unknown one) are {@link #PREFETCH}. */
public enum Priority {
    /** Background prefetch, spread over time: shed first. */
    PREFETCH,
    /** The device needs the bundle now (it missed it and the event is starting or live): served from a reserve. */
    CRITICAL;

    public static final String HEADER = "X-Priority";

    public static Priority parse(String header) {
        if (header != null && header.trim().toLowerCase(Locale.ROOT).equals("critical")) {
            return CRITICAL;
        }
        return PREFETCH;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
