package io.kickoff.lsm.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdminTokensTest {

    @Test
    void namedTokensCarryTheirNameAndRoleAndABareTokenIsTheOperatorAdmin() {
        Map<String, AdminToken> tokens = AdminTokens.parse(List.of("alice:operator:s3cret-a", "victor:VIEWER:s3cret:v",
                "plain-token"));
        assertThat(tokens).containsExactly(
                Map.entry("s3cret-a", AdminToken.operator("alice")),
                Map.entry("s3cret:v", AdminToken.viewer("victor")),
                Map.entry("plain-token", AdminToken.operator("admin")));
    }

    @Test
    void aTokenWithColonsButNoRoleIsABareToken() {
        assertThat(AdminTokens.parse(List.of("a:b:c"))).containsExactly(Map.entry("a:b:c", AdminToken.operator("admin")));
    }

    @Test
    void faultsAreNamedWithoutShowingTheToken() {
        assertThatThrownBy(() -> AdminTokens.parse(List.of())).hasMessageContaining("at least one");
        assertThatThrownBy(() -> AdminTokens.parse(List.of("alice:operator: padded")))
                .hasMessageContaining("#1").hasMessageContaining("surrounding spaces").hasMessageNotContaining("padded");
        assertThatThrownBy(() -> AdminTokens.parse(List.of("ok-token", "bad name!:viewer:tok")))
                .hasMessageContaining("#2").hasMessageContaining("the name 'bad name!'");
        assertThatThrownBy(() -> AdminTokens.parse(List.of("alice:operator:same-token", "bob:viewer:same-token")))
                .hasMessageContaining("#2 (bob) is the same token").hasMessageNotContaining("same-token");
        assertThatThrownBy(() -> AdminTokens.parse(List.of(""))).hasMessageContaining("blank");
    }
}
