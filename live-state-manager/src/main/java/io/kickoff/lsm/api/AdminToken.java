package io.kickoff.lsm.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What one bearer token of the admin API is: who uses it ({@code name}, the actor written in an
 * event's history) and what it may do.
 */
public record AdminToken(String name, Role role) {

    public AdminToken {
        Objects.requireNonNull(role, "role");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("an admin token needs a name (it is the actor in event history)");
        }
    }

    public static AdminToken operator(String name) {
        return new AdminToken(name, Role.OPERATOR);
    }

    public static AdminToken viewer(String name) {
        return new AdminToken(name, Role.VIEWER);
    }

    /**
     * Names tokens configured with a role only: {@code <role>-<first 8 hex digits of the token's SHA-256>},
     * e.g. {@code operator-1f2e3d4c}, so history tells tokens apart without showing them.
     */
    static Map<String, AdminToken> fromRoles(Map<String, Role> roles) {
        Map<String, AdminToken> tokens = new LinkedHashMap<>();
        roles.forEach((token, role) -> tokens.put(token,
                new AdminToken(role.name().toLowerCase(Locale.ROOT) + "-" + fingerprint(token).substring(0, 8), role)));
        return tokens;
    }

    /** SHA-256 of a token, hex: tokens are looked up and scoped by it, never compared or stored in clear. */
    static String fingerprint(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
