package io.kickoff.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogTextTest {
    @Test
    void lineBreaksCannotForgeALogLine() {
        String forged = "manual\r\n2026-11-21 INFO event final → LIVE";
        assertThat(LogText.escape(forged)).doesNotContain("\n").doesNotContain("\r")
                .isEqualTo("manual\\r\\n2026-11-21 INFO event final → LIVE");
        assertThat(LogText.escape("a\u0000b\u001bc\u2028")).isEqualTo("a\\u0000b\\u001bc\\u2028");
        assertThat(LogText.escape("back\\slash")).isEqualTo("back\\\\slash");
    }

    @Test
    void plainTextIsUnchangedAndLongTextIsCut() {
        assertThat(LogText.escape("final-2026")).isEqualTo("final-2026");
        assertThat(LogText.escape(java.util.List.of("us-en", "br\npt"))).isEqualTo("[us-en, br\\npt]");
        assertThat(LogText.escape("x".repeat(1000))).hasSize(257);
        assertThat(LogText.escape(null)).isEqualTo("null");
    }
}
