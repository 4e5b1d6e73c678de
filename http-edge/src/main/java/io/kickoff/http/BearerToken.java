package io.kickoff.http;

import java.util.Optional;

/**
 * What an {@code Authorization} header holds, read once for every server of the platform (RFC 6750 §2.1): no
 * credentials, credentials of another scheme (or a bearer without a token), or a bearer token. The scheme is
 * matched without regard to case; the token is taken without surrounding spaces.
 */
public sealed interface BearerToken {
    String SCHEME = "Bearer ";

    /** No header, or a blank one. */
    record Absent() implements BearerToken {
    }

    /** Another scheme, or {@code Bearer} with nothing after it. */
    record OtherScheme() implements BearerToken {
    }

    record Present(String token) implements BearerToken {
    }

    static BearerToken from(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            return new Absent();
        }
        String header = authorization.strip();
        if (!header.regionMatches(true, 0, SCHEME, 0, SCHEME.length()) || header.substring(SCHEME.length()).isBlank()) {
            return new OtherScheme();
        }
        return new Present(header.substring(SCHEME.length()).strip());
    }

    /** The token, if the header carries one. */
    default Optional<String> presented() {
        return this instanceof Present present ? Optional.of(present.token()) : Optional.empty();
    }
}
