package io.kickoff.lsm.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the admin API's bearer tokens as configured on a command line: {@code NAME:ROLE:TOKEN} (role {@code operator}
 * or {@code viewer}; the name is the actor written in history), or a bare {@code TOKEN}, an operator named
 * {@code admin}.
 */
public final class AdminTokens {
    /** A token's name: what history shows as the actor. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
    private static final Pattern NAMED = Pattern.compile("([^:]+):(?i)(operator|viewer):(.+)");
    /** The name of a token configured bare. */
    public static final String DEFAULT_NAME = "admin";

    private AdminTokens() {
    }

    /**
     * Token → who it is, in the order given.
     *
     * @throws IllegalArgumentException naming the fault (a blank token, a bad name, a token given twice) without
     *                                  showing any token
     */
    public static Map<String, AdminToken> parse(List<String> specs) {
        if (specs.isEmpty()) {
            throw new IllegalArgumentException("the admin API needs at least one bearer token");
        }
        Map<String, AdminToken> tokens = new LinkedHashMap<>();
        for (int i = 0; i < specs.size(); i++) {
            String spec = specs.get(i);
            Matcher named = spec == null ? null : NAMED.matcher(spec);
            String token;
            AdminToken who;
            if (named != null && named.matches()) {
                String name = named.group(1);
                if (!NAME.matcher(name).matches()) {
                    throw new IllegalArgumentException("admin token #" + (i + 1) + ": the name '" + name
                            + "' must be 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit");
                }
                token = named.group(3);
                who = new AdminToken(name, Role.valueOf(named.group(2).toUpperCase(Locale.ROOT)));
            } else {
                token = spec;
                who = AdminToken.operator(DEFAULT_NAME);
            }
            if (token == null || token.isBlank() || !token.strip().equals(token)) {
                throw new IllegalArgumentException("admin token #" + (i + 1)
                        + " is blank or has surrounding spaces; give NAME:operator|viewer:TOKEN or TOKEN");
            }
            if (tokens.putIfAbsent(token, who) != null) {
                throw new IllegalArgumentException("admin token #" + (i + 1) + " (" + who.name()
                        + ") is the same token as an earlier one; give each its own");
            }
        }
        return tokens;
    }
}
