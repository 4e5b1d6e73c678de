package io.kickoff.launcher;

import io.kickoff.protocol.token.DeviceTokens;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The demo home screen's {@code /home/config.json}: where the gateway is, and a device token minted on each request
 * (a new device id each time; the page keeps the first it got while it is valid, so a reload is the same device).
 * Whoever can reach the bundle API gets a token, so it is offered only with the development secret or when asked
 * for ({@link #offered}).
 *
 * @param gateway  the device socket, e.g. {@code ws://127.0.0.1:8080/v1/connect}
 * @param tokens   signs the tokens (the platform's secret)
 * @param secretId names the secret without telling it, so the page drops a token kept from another secret
 * @param segments the catalog's segments now; the token's segment is {@link #PREFERRED_SEGMENT} if there, else the first
 * @param console  the producer console the page links to, if this platform has one
 */
record HomeScreenOffer(URI gateway, DeviceTokens tokens, String secretId, Supplier<List<String>> segments,
                       Optional<URI> console) implements Supplier<String> {
    /** The example catalog's segment the demo uses too. */
    static final String PREFERRED_SEGMENT = "us-en-adult";
    static final Duration TOKEN_LIFETIME = Duration.ofHours(12);
    private static final SecureRandom RANDOM = new SecureRandom();

    static HomeScreenOffer of(URI gateway, DeviceTokens tokens, String secret, Supplier<List<String>> segments) {
        return new HomeScreenOffer(gateway, tokens, secretId(secret), segments, Optional.empty());
    }

    /** The page links to the producer console at {@code url}. */
    HomeScreenOffer withConsole(URI url) {
        return new HomeScreenOffer(gateway, tokens, secretId, segments, Optional.of(url));
    }

    /** Tokens go to the page only with the development secret, or when the operator said so. */
    static boolean offered(boolean developmentSecret, boolean offerFlag) {
        return developmentSecret || offerFlag;
    }

    @Override
    public String get() {
        List<String> known = segments.get();
        if (known.isEmpty()) {
            return "{\"gateway\":\"" + gateway + "\"" + consoleField() + ",\"problem\":\"no catalog yet: no segment to give a device\"}";
        }
        String segment = known.contains(PREFERRED_SEGMENT) ? PREFERRED_SEGMENT : known.get(0);
        byte[] id = new byte[6];
        RANDOM.nextBytes(id);
        String deviceId = "home-" + HexFormat.of().formatHex(id);
        String token = tokens.issue(deviceId, segment, TOKEN_LIFETIME);
        // Every value is URL-, id- or base64url-shaped: nothing to escape but what the catalog names.
        return "{\"gateway\":\"" + gateway + "\",\"token\":\"" + token + "\",\"deviceId\":\"" + deviceId
                + "\",\"segment\":\"" + jsonText(segment) + "\",\"secretId\":\"" + secretId + "\"" + consoleField() + "}";
    }

    private String consoleField() {
        return console.map(url -> ",\"console\":\"" + jsonText(url.toString()) + "\"").orElse("");
    }

    private static String jsonText(String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static String secretId(String secret) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(("kickoff-home:" + secret).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
