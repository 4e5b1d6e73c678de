package io.kickoff.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.protocol.token.DeviceClaims;
import io.kickoff.protocol.token.DeviceTokens;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class KickoffCliTest {

    record Run(int exitCode, String out, String err) {
    }

    static Run run(String... args) {
        CommandLine cli = Kickoff.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void helpListsTheCommands() {
        Run help = run("--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("serve", "demo", "token");
        for (String command : new String[] {"serve", "demo", "token"}) {
            Run sub = run(command, "--help");
            assertThat(sub.exitCode()).as(command).isZero();
            assertThat(sub.out()).as(command).contains("Usage:");
        }
    }

    @Test
    void noCommandOrAnUnknownOneIsAUsageError() {
        assertThat(run().exitCode()).isEqualTo(2);
        Run unknown = run("launch");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("launch");
    }

    @Test
    void tokenPrintsAVerifiableDeviceToken() throws Exception {
        String secret = "a-secret-of-at-least-thirty-two-bytes!";
        Run token = run("token", "--device", "tv-42", "--segment", "us-en", "--token-secret", secret);
        assertThat(token.exitCode()).isZero();
        DeviceClaims claims = DeviceTokens.withSecret(secret).verify(token.out().trim());
        assertThat(claims.deviceId()).isEqualTo("tv-42");
        assertThat(claims.segment()).isEqualTo("us-en");
    }

    @Test
    void tokenRefusesBadSettingsInOneLine() {
        Run shortSecret = run("token", "--device", "d", "--segment", "s", "--token-secret", "short");
        assertThat(shortSecret.exitCode()).isEqualTo(2);
        assertThat(shortSecret.err()).contains("at least 32 bytes");
        assertThat(run("token", "--device", "d").exitCode()).isEqualTo(2);
        assertThat(run("token", "--device", "d", "--segment", "s", "--ttl", "PT-1H").exitCode()).isEqualTo(2);
        assertThat(run("token", "--device", "d", "--segment", "s", "--ttl", "soon").exitCode()).isEqualTo(2);
    }

    @Test
    void demoDeliversLiveToEveryDeviceAndExitsZero() {
        Run demo = run("demo", "--gateway-port", "0", "--admin-port", "0", "--devices", "25");
        assertThat(demo.exitCode()).as(demo.out() + demo.err()).isZero();
        assertThat(demo.out()).contains("OK: all 25 devices received demo-final LIVE (seq 1)");
    }

    @Test
    void demoRefusesZeroDevices() {
        assertThat(run("demo", "--devices", "0").exitCode()).isEqualTo(2);
    }
}
