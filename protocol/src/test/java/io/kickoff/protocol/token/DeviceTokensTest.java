package io.kickoff.protocol.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import org.junit.jupiter.api.Test;

class DeviceTokensTest {
    static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
    final DeviceTokens tokens = new DeviceTokens(SECRET, Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void issuedTokenVerifies() throws Exception {
        String token = tokens.issue("device-1", "us-en", Duration.ofHours(1));
        DeviceClaims claims = tokens.verify(token);
        assertThat(claims.deviceId()).isEqualTo("device-1");
        assertThat(claims.segment()).isEqualTo("us-en");
        assertThat(claims.expiresAt()).isEqualTo(NOW.plus(Duration.ofHours(1)));
    }

    @Test
    void accountClaimIsOptional() throws Exception {
        assertThat(tokens.verify(tokens.issue("device-1", "us-en", Duration.ofHours(1))).account()).isEmpty();
        DeviceClaims withAccount = tokens.verify(tokens.issue(
                new DeviceClaims("device-2", "us-en", NOW.plus(Duration.ofHours(1)), "acct-7")));
        assertThat(withAccount.account()).isEqualTo("acct-7");
        assertThat(withAccount.deviceId()).isEqualTo("device-2");
    }

    @Test
    void missingToken() {
        assertReason(null, TokenException.Reason.MISSING);
        assertReason("  ", TokenException.Reason.MISSING);
    }

    @Test
    void malformedToken() {
        assertReason("not-a-jwt", TokenException.Reason.MALFORMED);
        assertReason("a.b.c", TokenException.Reason.MALFORMED);
    }

    @Test
    void unsignedTokenIsMalformed() {
        String header = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8));
        String body = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"sub\":\"d\",\"seg\":\"s\",\"exp\":9999999999}".getBytes(StandardCharsets.UTF_8));
        assertReason(header + "." + body + ".", TokenException.Reason.MALFORMED);
    }

    @Test
    void wrongSignature() {
        DeviceTokens other = new DeviceTokens("another-secret-another-secret-xx".getBytes(StandardCharsets.UTF_8),
                Clock.fixed(NOW, ZoneOffset.UTC));
        assertReason(other.issue("device-1", "us-en", Duration.ofHours(1)), TokenException.Reason.BAD_SIGNATURE);
    }

    @Test
    void tamperedPayloadFailsSignature() {
        String token = tokens.issue("device-1", "us-en", Duration.ofHours(1));
        String[] parts = token.split("\\.");
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"sub\":\"device-1\",\"seg\":\"vip\",\"exp\":9999999999}".getBytes(StandardCharsets.UTF_8));
        assertReason(parts[0] + "." + forged + "." + parts[2], TokenException.Reason.BAD_SIGNATURE);
    }

    @Test
    void expiredToken() {
        String token = tokens.issue("device-1", "us-en", Duration.ofHours(1));
        DeviceTokens later = new DeviceTokens(SECRET, Clock.fixed(NOW.plus(Duration.ofHours(1)), ZoneOffset.UTC));
        assertReason(later, token, TokenException.Reason.EXPIRED);
    }

    @Test
    void missingClaims() throws Exception {
        assertReason(sign(new JWTClaimsSet.Builder().claim("seg", "s").expirationTime(inAnHour()).build()),
                TokenException.Reason.MISSING_CLAIM);
        assertReason(sign(new JWTClaimsSet.Builder().subject("d").expirationTime(inAnHour()).build()),
                TokenException.Reason.MISSING_CLAIM);
        assertReason(sign(new JWTClaimsSet.Builder().subject("d").claim("seg", "s").build()),
                TokenException.Reason.MISSING_CLAIM);
        assertReason(sign(new JWTClaimsSet.Builder().subject("d").claim("seg", 12).expirationTime(inAnHour()).build()),
                TokenException.Reason.MISSING_CLAIM);
    }

    @Test
    void claimsOfTheWrongTypeAreMissingClaims() throws Exception {
        long exp = NOW.plus(Duration.ofHours(1)).getEpochSecond();
        // A numeric device id is not a device id (the JWT library would have made it the string "42").
        assertReason(signJson("{\"sub\":42,\"seg\":\"s\",\"exp\":" + exp + "}"), TokenException.Reason.MISSING_CLAIM);
        // An expiry written as a string is not a NumericDate: the same reason as an absent one, not "malformed".
        assertReason(signJson("{\"sub\":\"d\",\"seg\":\"s\",\"exp\":\"" + exp + "\"}"), TokenException.Reason.MISSING_CLAIM);
        assertReason(signJson("{\"sub\":\"d\",\"seg\":[\"s\"],\"exp\":" + exp + "}"), TokenException.Reason.MISSING_CLAIM);
        assertReason(signJson("{\"sub\":\"d\",\"seg\":\"s\",\"exp\":true}"), TokenException.Reason.MISSING_CLAIM);
        assertReason(signJson("{\"sub\":\" \",\"seg\":\"s\",\"exp\":" + exp + "}"), TokenException.Reason.MISSING_CLAIM);
        assertReason(signJson("{\"sub\":\"d\",\"seg\":\"s\",\"exp\":1e300}"), TokenException.Reason.MISSING_CLAIM);
    }

    @Test
    void aFractionalNumericDateIsAnExpiry() throws Exception {
        long exp = NOW.plus(Duration.ofHours(1)).getEpochSecond();
        DeviceClaims claims = tokens.verify(signJson("{\"sub\":\"d\",\"seg\":\"s\",\"exp\":" + exp + ".5}"));
        assertThat(claims.expiresAt()).isEqualTo(Instant.ofEpochSecond(exp, 500_000_000));
        assertReason(signJson("{\"sub\":\"d\",\"seg\":\"s\",\"exp\":" + (NOW.getEpochSecond() - 1) + ".5}"),
                TokenException.Reason.EXPIRED);
    }

    @Test
    void claimsThatAreNotAJsonObjectAreMalformed() throws Exception {
        assertReason(signJson("[1,2]"), TokenException.Reason.MALFORMED);
    }

    @Test
    void shortSecretIsRefused() {
        assertThatThrownBy(() -> new DeviceTokens(new byte[8], Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32 bytes");
    }

    private static Date inAnHour() {
        return Date.from(NOW.plus(Duration.ofHours(1)));
    }

    private static String sign(JWTClaimsSet set) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), set);
        jwt.sign(new MACSigner(SECRET));
        return jwt.serialize();
    }

    /** Signs a payload exactly as written, so claims can have any JSON type. */
    private static String signJson(String payload) throws Exception {
        JWSObject jws = new JWSObject(new JWSHeader(JWSAlgorithm.HS256), new Payload(payload));
        jws.sign(new MACSigner(SECRET));
        return jws.serialize();
    }

    private void assertReason(String token, TokenException.Reason reason) {
        assertReason(tokens, token, reason);
    }

    private static void assertReason(DeviceTokens verifier, String token, TokenException.Reason reason) {
        assertThatThrownBy(() -> verifier.verify(token))
                .isInstanceOfSatisfying(TokenException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }
}
