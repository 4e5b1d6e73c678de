package io.kickoff.launcher;

import java.net.URI;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Checks a {@code --redis} value: {@code redis://} or {@code rediss://} with a host. */
final class RedisAddress {
    private RedisAddress() {
    }

    static void validate(CommandSpec spec, String uri) {
        try {
            URI parsed = URI.create(uri);
            String scheme = parsed.getScheme();
            if (("redis".equals(scheme) || "rediss".equals(scheme)) && parsed.getHost() != null) {
                return;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new ParameterException(spec.commandLine(), "--redis wants redis://HOST[:PORT] or rediss://..., got '" + uri + "'");
    }
}
