package io.kickoff.launcher;

import java.net.URI;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Checks a {@code --redis} value, for every command that takes one: {@code redis://} or {@code rediss://} with a host. */
final class RedisAddress {
    private RedisAddress() {
    }

    /** A usage error (exit 2) unless {@code uri} is absent (no Redis) or a Redis URI with a host. */
    static void validate(CommandSpec spec, String uri) {
        if (uri == null) {
            return;
        }
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
