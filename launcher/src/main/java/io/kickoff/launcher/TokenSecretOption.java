package io.kickoff.launcher;

import io.kickoff.protocol.token.DeviceTokens;
import picocli.CommandLine.Option;

/**
 * {@code --token-secret} of the commands that issue or verify device tokens ({@code gateway},
 * {@code prefetch}, {@code simulate}, {@code token}); {@link PlatformOptions} has its own in its group.
 */
final class TokenSecretOption {
    @Option(names = "--token-secret", defaultValue = "${env:KICKOFF_TOKEN_SECRET:-" + PlatformOptions.DEV_TOKEN_SECRET + "}",
            description = "HMAC secret of device tokens, at least 32 bytes; gateways, prefetch nodes and clients share it "
                    + "(env KICKOFF_TOKEN_SECRET; default: the development secret).")
    String secret;

    /** Tokens signed and verified with the secret; a secret too short is an IllegalArgumentException (exit 2). */
    DeviceTokens tokens() {
        return DeviceTokens.withSecret(secret);
    }

    boolean isDevelopmentSecret() {
        return PlatformOptions.DEV_TOKEN_SECRET.equals(secret);
    }
}
