package io.kickoff.launcher;

import io.kickoff.protocol.token.DeviceClaims;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Prints a signed device token, for tools and scripts. */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = "Print a signed device token (HS256 JWT) accepted by gateways that share the secret.")
final class TokenCommand implements Callable<Integer> {

    @Option(names = "--device", required = true, description = "Device id (the token's subject).")
    String device;

    @Option(names = "--segment", required = true, description = "Audience segment of the device, e.g. us-en.")
    String segment;

    @Option(names = "--account", paramLabel = "ACCOUNT",
            description = "Account the device belongs to (the acct claim): its viewing signals count in the account's "
                    + "concurrent streams (default: none).")
    String account;

    @Option(names = "--ttl", defaultValue = "24h", description = "How long the token is valid, e.g. 30m, 24h, 7d (default: ${DEFAULT-VALUE}).")
    Duration ttl;

    @Mixin
    TokenSecretOption tokenSecret;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--ttl must be positive");
        }
        if (device.isBlank() || segment.isBlank()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--device and --segment must not be blank");
        }
        if (account != null && account.isBlank()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--account must not be blank (leave it out for none)");
        }
        spec.commandLine().getOut().println(tokenSecret.tokens().issue(new DeviceClaims(device, segment,
                Instant.now().plus(ttl), account == null ? "" : account.strip())));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
