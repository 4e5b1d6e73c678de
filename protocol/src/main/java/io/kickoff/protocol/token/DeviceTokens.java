package io.kickoff.protocol.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;

/**
 * Issues and verifies device tokens: HS256-signed JWTs whose subject is the device id, with a
 * {@code seg} claim for the audience segment and {@code exp} for the expiry. Thread-safe.
 */
public final class DeviceTokens {
    static final String SEGMENT_CLAIM = "seg";
    /** Optional: the account the device belongs to (viewing signals carry it, for streams per account). */
    static final String ACCOUNT_CLAIM = "acct";
    /** HS256 needs a key of at least 256 bits. */
    public static final int MIN_SECRET_BYTES = 32;

    private final MACSigner signer;
    private final MACVerifier verifier;
    private final Clock clock;

    public DeviceTokens(byte[] secret, Clock clock) {
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException(
                    "token secret must be at least " + MIN_SECRET_BYTES + " bytes, got " + secret.length);
        }
        try {
            this.signer = new MACSigner(secret);
            this.verifier = new MACVerifier(secret);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("unusable token secret: " + e.getMessage(), e);
        }
        this.clock = clock;
    }

    public static DeviceTokens withSecret(String secret) {
        return new DeviceTokens(secret.getBytes(StandardCharsets.UTF_8), Clock.systemUTC());
    }

    /** A token for this device and segment, valid for {@code ttl} from now. */
    public String issue(String deviceId, String segment, Duration ttl) {
        return issue(new DeviceClaims(deviceId, segment, clock.instant().plus(ttl)));
    }

    public String issue(DeviceClaims claims) {
        JWTClaimsSet.Builder set = new JWTClaimsSet.Builder()
                .subject(claims.deviceId())
                .claim(SEGMENT_CLAIM, claims.segment())
                .issueTime(Date.from(clock.instant()))
                .expirationTime(Date.from(claims.expiresAt()));
        if (!claims.account().isEmpty()) {
            set.claim(ACCOUNT_CLAIM, claims.account());
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), set.build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("signing failed", e);
        }
        return jwt.serialize();
    }

    /** The claims of a valid token; a {@link TokenException} naming the reason otherwise. */
    public DeviceClaims verify(String token) throws TokenException {
        if (token == null || token.isBlank()) {
            throw new TokenException(TokenException.Reason.MISSING, "no device token");
        }
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token.trim());
        } catch (ParseException e) {
            throw new TokenException(TokenException.Reason.MALFORMED, "device token is not a signed JWT", e);
        }
        if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
            throw new TokenException(TokenException.Reason.MALFORMED,
                    "device token algorithm " + jwt.getHeader().getAlgorithm() + " is not HS256");
        }
        try {
            if (!jwt.verify(verifier)) {
                throw new TokenException(TokenException.Reason.BAD_SIGNATURE, "device token signature does not verify");
            }
        } catch (JOSEException e) {
            throw new TokenException(TokenException.Reason.BAD_SIGNATURE, "device token signature does not verify", e);
        }
        // The claims are read from the JSON itself: the JWT library turns a numeric "sub" into a
        // string and refuses a string "exp" as unparseable, and a device id or an expiry of the wrong
        // type is a missing claim like any other (one reason, documented in protocol.md §2).
        Map<String, Object> claims;
        try {
            claims = jwt.getPayload().toJSONObject();
        } catch (RuntimeException e) {
            claims = null;
        }
        if (claims == null) {
            throw new TokenException(TokenException.Reason.MALFORMED, "device token claims are not a JSON object");
        }
        String deviceId = nonBlankString(claims, "sub", "device id");
        String segment = nonBlankString(claims, SEGMENT_CLAIM, "segment");
        Instant expiresAt = numericDate(claims, "exp", "expiry");
        if (!clock.instant().isBefore(expiresAt)) {
            throw new TokenException(TokenException.Reason.EXPIRED, "device token expired at " + expiresAt);
        }
        // Optional and never a reason to refuse: a token without it (or with a non-string) has no account.
        String account = claims.get(ACCOUNT_CLAIM) instanceof String value ? value.strip() : "";
        return new DeviceClaims(deviceId, segment, expiresAt, account);
    }

    private static String nonBlankString(Map<String, Object> claims, String name, String what) throws TokenException {
        if (claims.get(name) instanceof String value && !value.isBlank()) {
            return value;
        }
        throw new TokenException(TokenException.Reason.MISSING_CLAIM,
                "device token has no '" + name + "' (" + what + ") as a non-blank string");
    }

    /** An RFC 7519 NumericDate: a JSON number of seconds since the epoch, possibly fractional. */
    private static Instant numericDate(Map<String, Object> claims, String name, String what) throws TokenException {
        if (claims.get(name) instanceof Number number) {
            double seconds = number.doubleValue();
            if (Double.isFinite(seconds) && seconds >= Instant.MIN.getEpochSecond() && seconds <= Instant.MAX.getEpochSecond()) {
                long whole = number instanceof Double || number instanceof Float ? (long) Math.floor(seconds) : number.longValue();
                long nanos = number instanceof Double || number instanceof Float ? (long) ((seconds - whole) * 1e9) : 0;
                return Instant.ofEpochSecond(whole, nanos);
            }
        }
        throw new TokenException(TokenException.Reason.MISSING_CLAIM,
                "device token has no '" + name + "' (" + what + ") as a NumericDate");
    }
}
