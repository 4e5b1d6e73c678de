package io.kickoff.launcher;

import io.kickoff.http.CrossOrigin;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** Options shared by the commands that run the platform on one node. */
final class PlatformOptions {
    static final String DEV_ADMIN_TOKEN = "kickoff-dev-operator";
    static final String DEV_TOKEN_SECRET = "kickoff-dev-device-token-secret-change-me";

    @Option(names = "--mode", defaultValue = "memory",
            description = "Where the bus and stores live: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}). "
                    + "memory: in-process bus; embedded: the launcher starts a real Kafka broker and Redis server; "
                    + "external: use --kafka (and --redis).")
    Mode mode;

    @Option(names = "--kafka", paramLabel = "HOST:PORT[,HOST:PORT...]",
            description = "Kafka bootstrap servers; required with --mode external, refused otherwise.")
    String kafka;

    @Option(names = "--redis", paramLabel = "redis://HOST:PORT",
            description = "Redis URI of the event store and the shared bundle store; optional with --mode external "
                    + "(without it both are in memory), refused otherwise.")
    String redis;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--gateway-port", defaultValue = "8080", description = "Device WebSocket port (default: ${DEFAULT-VALUE}).")
    int gatewayPort;

    @Option(names = "--admin-port", defaultValue = "8081", description = "Admin API port (default: ${DEFAULT-VALUE}).")
    int adminPort;

    @Option(names = "--bundle-port", defaultValue = "8082",
            description = "Bundle API port of the prefetch node (default: ${DEFAULT-VALUE}).")
    int bundlePort;

    @Option(names = "--catalog-dir", paramLabel = "DIR",
            description = "Catalog blob directory the prefetch node follows (kickoff catalog publish writes one; "
                    + "default: the example catalog of docs/catalog.md, published into a temporary directory).")
    java.nio.file.Path catalogDir;

    @Option(names = "--admin-token", paramLabel = AdminAccess.TOKEN_LABEL,
            defaultValue = "${env:KICKOFF_ADMIN_TOKEN:-" + DEV_ADMIN_TOKEN + "}", description = AdminAccess.TOKEN_HELP)
    List<String> adminTokens;

    @Option(names = "--bundle-api", paramLabel = "URL",
            description = "Address of the bundle API that the console at /console/ shows renderings from, as browsers "
                    + "reach it (default: http://HOST:BUNDLE-PORT of this process).")
    String bundleApi;

    @Option(names = "--cors-origin", paramLabel = "ORIGIN",
            description = "Origin (scheme://host[:port]) allowed to call the admin API and the bundle API from a browser, "
                    + "repeatable (default: none; the console at /console/ is same-origin, and the bundle API always "
                    + "allows the admin API's origin, so the console can show renderings).")
    List<String> corsOrigins = new ArrayList<>();

    @Option(names = "--token-secret", defaultValue = "${env:KICKOFF_TOKEN_SECRET:-" + DEV_TOKEN_SECRET + "}",
            description = "HMAC secret of device tokens, at least 32 bytes (env KICKOFF_TOKEN_SECRET; default: a development secret).")
    String tokenSecret;

    @Option(names = "--node-id", defaultValue = "gateway-1", description = "Name of the gateway node (default: ${DEFAULT-VALUE}).")
    String nodeId;

    @Option(names = "--offer-home-tokens",
            description = "Hand device tokens to the demo home screen (/home/ on the bundle API) even with a real "
                    + "--token-secret: anyone who can reach the bundle API then gets one. With the development "
                    + "secret they are offered anyway.")
    boolean offerHomeTokens;

    /** Memory mode on 127.0.0.1 and free ports, as tests and embedders start a platform. */
    static PlatformOptions inMemoryOnFreePorts(List<String> adminTokens, String tokenSecret) {
        PlatformOptions options = new PlatformOptions();
        options.mode = Mode.memory;
        options.host = "127.0.0.1";
        options.gatewayPort = 0;
        options.adminPort = 0;
        options.bundlePort = 0;
        options.adminTokens = List.copyOf(adminTokens);
        options.tokenSecret = tokenSecret;
        options.nodeId = "gateway-1";
        return options;
    }

    boolean usesDevelopmentTokenSecret() {
        return DEV_TOKEN_SECRET.equals(tokenSecret);
    }

    /** The admin API's tokens (a usage error if one is malformed). */
    Map<String, io.kickoff.lsm.api.AdminToken> adminTokens(CommandSpec spec) {
        return AdminAccess.tokens(spec, adminTokens);
    }

    /** The first operator token: what the banner shows and the demo uses. */
    String operatorToken() {
        return io.kickoff.lsm.api.AdminTokens.parse(adminTokens).entrySet().stream()
                .filter(e -> e.getValue().role().mayWrite()).map(Map.Entry::getKey).findFirst()
                .orElseThrow(() -> new IllegalStateException("no operator admin token (validate the options first)"));
    }

    boolean usesDevelopmentSecrets() {
        return AdminAccess.usesDevelopmentToken(adminTokens) || DEV_TOKEN_SECRET.equals(tokenSecret);
    }

    /** Refuses combinations of options that cannot work, as a usage error (exit 2) naming the fix. */
    void validate(CommandSpec spec) {
        adminTokens(spec);
        AdminAccess.operatorToken(spec, adminTokens);
        AdminAccess.withBundleApi(spec, AdminAccess.browser(spec, corsOrigins), bundleApi);
        switch (mode) {
            case external -> {
                if (kafka == null || kafka.isBlank()) {
                    throw new ParameterException(spec.commandLine(),
                            "--mode external needs --kafka HOST:PORT[,HOST:PORT...] (the Kafka bootstrap servers)");
                }
                KafkaAddress.validate(spec, kafka);
                RedisAddress.validate(spec, redis);
            }
            case memory, embedded -> {
                if (kafka != null) {
                    throw new ParameterException(spec.commandLine(), "--kafka is only used with --mode external"
                            + (mode == Mode.embedded ? " (--mode embedded starts its own broker)" : ""));
                }
                if (redis != null) {
                    throw new ParameterException(spec.commandLine(), "--redis is only used with --mode external"
                            + (mode == Mode.embedded ? " (--mode embedded starts its own server)" : ""));
                }
            }
        }
        validatePorts(spec);
        try {
            CrossOrigin.handler(corsOrigins);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--cors-origin: " + e.getMessage());
        }
    }

    /** Each port in range and its own, and free now: a taken port is one line naming it and its option (exit 2). */
    private void validatePorts(CommandSpec spec) {
        Map<String, Integer> byOption = new LinkedHashMap<>();
        byOption.put("--gateway-port", gatewayPort);
        byOption.put("--admin-port", adminPort);
        byOption.put("--bundle-port", bundlePort);
        Map<Integer, String> taken = new LinkedHashMap<>();
        byOption.forEach((option, port) -> {
            if (port < 0 || port > 65_535) {
                throw new ParameterException(spec.commandLine(), option + " wants 0..65535, got " + port);
            }
            String other = port == 0 ? null : taken.putIfAbsent(port, option);
            if (other != null) {
                throw new ParameterException(spec.commandLine(), other + " and " + option + " are both " + port
                        + "; give each its own port (or 0 for any free one)");
            }
        });
        taken.forEach((port, option) -> ListenPorts.requireFree(host, port, option));
    }
}
