package io.kickoff.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.testkit.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad TLS files end every listening command before it starts anything: one line naming the file, exit 2. */
class TlsOptionsTest {
    @TempDir
    Path dir;

    Path cert;
    Path key;
    Path otherKey;

    @BeforeEach
    void files() {
        TestCertificates authority = TestCertificates.authority("kickoff test CA");
        cert = dir.resolve("cert.pem");
        key = dir.resolve("key.pem");
        otherKey = dir.resolve("other-key.pem");
        authority.issue(1).writeTo(cert, key);
        authority.issue(2).writeTo(dir.resolve("other-cert.pem"), otherKey);
    }

    static String[] command(String name, String... tls) {
        String[] base = switch (name) {
            case "serve" -> new String[] {"serve", "--gateway-port", "0", "--admin-port", "0", "--bundle-port", "0"};
            case "prefetch" -> new String[] {"prefetch", "--kafka", "127.0.0.1:9", "--port", "0", "--catalog-dir", "."};
            default -> new String[] {name, "--kafka", "127.0.0.1:9", "--port", "0"};
        };
        String[] all = new String[base.length + tls.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(tls, 0, all, base.length, tls.length);
        return all;
    }

    @Test
    void aMissingFileIsOneLineNamingItExit2() {
        for (String name : new String[] {"serve", "gateway", "lsm", "prefetch"}) {
            Path missing = dir.resolve("missing.pem");
            KickoffCliTest.Run run = KickoffCliTest.run(command(name, "--tls-cert", missing.toString(), "--tls-key", key.toString()));
            assertThat(run.exitCode()).as(name).isEqualTo(2);
            assertThat(run.err()).as(name).startsWith("kickoff: cannot use TLS files: " + missing
                    + " cannot be read as the certificate chain: NoSuchFileException").endsWith("(see kickoff " + name + " --help)"
                    + System.lineSeparator());
            assertThat(run.err().lines()).as(name).hasSize(1);
        }
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedNamingIt() {
        KickoffCliTest.Run run = KickoffCliTest.run(command("gateway", "--tls-cert", cert.toString(), "--tls-key", otherKey.toString()));
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains(otherKey + " holds a private key that does not belong to the certificate in " + cert);
    }

    @Test
    void aCertificateWithoutItsKeyIsAUsageError() {
        KickoffCliTest.Run run = KickoffCliTest.run(command("lsm", "--tls-cert", cert.toString()));
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--tls-cert and --tls-key go together");
    }

    @Test
    void simulateTakesWssAndHttpsAndRefusesAnUnreadableTrustFile() throws Exception {
        Path notPem = Files.writeString(dir.resolve("trust.pem"), "hello");
        KickoffCliTest.Run run = KickoffCliTest.run("simulate", "--gateway", "wss://127.0.0.1:9", "--bundle-api",
                "https://127.0.0.1:9", "--tls-trust", notPem.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("kickoff: --tls-trust: " + notPem);
    }

    @Test
    void helpOfEveryListeningCommandNamesTheTlsOptions() {
        for (String name : new String[] {"serve", "gateway", "lsm", "prefetch"}) {
            assertThat(KickoffCliTest.run(name, "--help").out()).as(name).contains("--tls-cert=FILE", "--tls-key=FILE");
        }
        assertThat(KickoffCliTest.run("simulate", "--help").out()).contains("--tls-trust=FILE", "wss://");
    }
}
