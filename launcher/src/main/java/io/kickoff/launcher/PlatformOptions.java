package io.kickoff.launcher;

import picocli.CommandLine.Option;

/** Options shared by the commands that run the platform on one node. */
final class PlatformOptions {
    static final String DEV_ADMIN_TOKEN = "kickoff-dev-operator";
    static final String DEV_TOKEN_SECRET = "kickoff-dev-device-token-secret-change-me";

    @Option(names = "--mode", defaultValue = "memory",
            description = "Where the bus and stores live: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Mode mode;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--gateway-port", defaultValue = "8080", description = "Device WebSocket port (default: ${DEFAULT-VALUE}).")
    int gatewayPort;

    @Option(names = "--admin-port", defaultValue = "8081", description = "Admin API port (default: ${DEFAULT-VALUE}).")
    int adminPort;

    @Option(names = "--admin-token", defaultValue = "${env:KICKOFF_ADMIN_TOKEN:-" + DEV_ADMIN_TOKEN + "}",
            description = "Operator bearer token of the admin API (env KICKOFF_ADMIN_TOKEN; default: a development token).")
    String adminToken;

    @Option(names = "--token-secret", defaultValue = "${env:KICKOFF_TOKEN_SECRET:-" + DEV_TOKEN_SECRET + "}",
            description = "HMAC secret of device tokens, at least 32 bytes (env KICKOFF_TOKEN_SECRET; default: a development secret).")
    String tokenSecret;

    @Option(names = "--node-id", defaultValue = "gateway-1", description = "Name of the gateway node (default: ${DEFAULT-VALUE}).")
    String nodeId;

    boolean usesDevelopmentSecrets() {
        return DEV_ADMIN_TOKEN.equals(adminToken) || DEV_TOKEN_SECRET.equals(tokenSecret);
    }
}
