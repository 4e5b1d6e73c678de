package io.kickoff.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BearerTokenTest {

    @Test
    void readsTheTokenOfABearerHeader() {
        assertThat(BearerToken.from("Bearer abc")).isEqualTo(new BearerToken.Present("abc"));
        assertThat(BearerToken.from("bearer abc")).isEqualTo(new BearerToken.Present("abc"));
        assertThat(BearerToken.from("BEARER   abc  ")).isEqualTo(new BearerToken.Present("abc"));
        assertThat(BearerToken.from("Bearer abc").presented()).contains("abc");
    }

    @Test
    void noHeaderIsAbsent() {
        assertThat(BearerToken.from(null)).isInstanceOf(BearerToken.Absent.class);
        assertThat(BearerToken.from("  ")).isInstanceOf(BearerToken.Absent.class);
        assertThat(BearerToken.from(null).presented()).isEmpty();
    }

    @Test
    void anotherSchemeOrNoTokenIsNotABearer() {
        assertThat(BearerToken.from("Basic dXNlcjpwYXNz")).isInstanceOf(BearerToken.OtherScheme.class);
        assertThat(BearerToken.from("Bearer")).isInstanceOf(BearerToken.OtherScheme.class);
        assertThat(BearerToken.from("Bearer    ")).isInstanceOf(BearerToken.OtherScheme.class);
        assertThat(BearerToken.from("Bearerabc")).isInstanceOf(BearerToken.OtherScheme.class);
        assertThat(BearerToken.from("Basic x").presented()).isEmpty();
    }
}
