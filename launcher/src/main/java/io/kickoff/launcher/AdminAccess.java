package io.kickoff.launcher;

import io.kickoff.lsm.api.AdminToken;
import io.kickoff.lsm.api.AdminTokens;
import io.kickoff.lsm.api.BrowserAccess;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Who may use the admin API, as the {@code lsm}, {@code serve} and {@code demo} commands take it: bearer tokens
 * ({@code --admin-token [NAME:ROLE:]TOKEN}, repeatable) and the origins allowed to call it from a browser
 * ({@code --cors-origin}, repeatable).
 */
final class AdminAccess {
    static final String TOKEN_LABEL = "[NAME:ROLE:]TOKEN";
    static final String TOKEN_HELP = "Bearer token of the admin API, repeatable: NAME:operator:TOKEN or NAME:viewer:TOKEN "
            + "(NAME is the actor in event history; viewers may only read), or a bare TOKEN, an operator named admin "
            + "(env KICKOFF_ADMIN_TOKEN; default: a development token).";
    static final String CORS_HELP = "Origin (scheme://host[:port]) allowed to call the admin API from a browser, "
            + "repeatable (default: none; the console at /console/ is same-origin and needs none).";

    private AdminAccess() {
    }

    /** The tokens, or a usage error (exit 2) naming the fault. */
    static Map<String, AdminToken> tokens(CommandSpec spec, List<String> specs) {
        try {
            return AdminTokens.parse(specs);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--admin-token: " + e.getMessage());
        }
    }

    /** The first operator's token (what the banner shows and the demo drives the API with). */
    static String operatorToken(CommandSpec spec, List<String> specs) {
        return tokens(spec, specs).entrySet().stream().filter(e -> e.getValue().role().mayWrite())
                .map(Map.Entry::getKey).findFirst()
                .orElseThrow(() -> new ParameterException(spec.commandLine(),
                        "--admin-token: at least one operator token is needed (NAME:operator:TOKEN or a bare TOKEN)"));
    }

    /** Whether one of the tokens is the development token. */
    static boolean usesDevelopmentToken(List<String> specs) {
        return specs.stream().anyMatch(s -> s.equals(PlatformOptions.DEV_ADMIN_TOKEN)
                || s.endsWith(":" + PlatformOptions.DEV_ADMIN_TOKEN));
    }

    /** The CORS origins, or a usage error naming the bad one. */
    static BrowserAccess browser(CommandSpec spec, List<String> corsOrigins) {
        try {
            return BrowserAccess.none().withCorsOrigins(corsOrigins);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--cors-origin: " + e.getMessage());
        }
    }

    /** {@code browser} with the console's bundle API at {@code url} (if given), or a usage error naming it. */
    static BrowserAccess withBundleApi(CommandSpec spec, BrowserAccess browser, String url) {
        if (url == null) {
            return browser;
        }
        try {
            return browser.withBundleApi(url);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--bundle-api: " + e.getMessage());
        }
    }

    /** The names and roles of the tokens, for a banner: {@code alice (operator), victor (viewer)}. */
    static String describe(Map<String, AdminToken> tokens) {
        return String.join(", ", tokens.values().stream()
                .map(t -> t.name() + " (" + t.role().name().toLowerCase(java.util.Locale.ROOT) + ")").toList());
    }
}
