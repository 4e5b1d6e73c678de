package io.kickoff.loadtests;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Settings of a simulation, read from system properties ({@code -Dname=value} on the Maven command
 * line; the Gatling plugin hands them to the JVM that runs the simulation). Secrets fall back to the
 * environment variables {@code kickoff serve} reads, then to its development defaults, so a
 * simulation signs device tokens with the secret of the platform it talks to.
 */
final class Settings {
    /** The development values of {@code kickoff serve}, {@code kickoff prefetch} and {@code kickoff token}. */
    static final String DEV_TOKEN_SECRET = "kickoff-dev-device-token-secret-change-me";
    static final String DEV_ADMIN_TOKEN = "kickoff-dev-operator";

    private Settings() {
    }

    static String string(String name, String defaultValue) {
        String value = System.getProperty(name);
        return value == null || value.isBlank() ? defaultValue : value.trim();
    }

    static int positiveInt(String name, int defaultValue) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed > 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("-D" + name + " must be a positive integer, got '" + value + "'");
    }

    static int nonNegativeInt(String name, int defaultValue) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed >= 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("-D" + name + " must be an integer ≥ 0, got '" + value + "'");
    }

    static Duration seconds(String name, int defaultSeconds) {
        return Duration.ofSeconds(nonNegativeInt(name, defaultSeconds));
    }

    static List<String> list(String name, String defaultValue) {
        List<String> values = Arrays.stream(string(name, defaultValue).split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (values.isEmpty()) {
            throw new IllegalArgumentException("-D" + name + " must name at least one value");
        }
        return values;
    }

    /** {@code -Dkickoff.tokenSecret}, else {@code KICKOFF_TOKEN_SECRET}, else the development secret. */
    static String tokenSecret() {
        return string("kickoff.tokenSecret", env("KICKOFF_TOKEN_SECRET", DEV_TOKEN_SECRET));
    }

    /** {@code -Dkickoff.adminToken}, else {@code KICKOFF_ADMIN_TOKEN}, else the development operator token. */
    static String adminToken() {
        return string("kickoff.adminToken", env("KICKOFF_ADMIN_TOKEN", DEV_ADMIN_TOKEN));
    }

    private static String env(String name, String defaultValue) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? defaultValue : value;
    }

    /** The plain-HTTP base of a {@code ws://} or {@code wss://} URL (the gateway serves /readyz on the same port). */
    static String httpBase(String wsUrl) {
        if (wsUrl.startsWith("ws://")) {
            return "http://" + wsUrl.substring("ws://".length());
        }
        if (wsUrl.startsWith("wss://")) {
            return "https://" + wsUrl.substring("wss://".length());
        }
        throw new IllegalArgumentException("not a ws:// or wss:// URL: " + wsUrl);
    }
}
