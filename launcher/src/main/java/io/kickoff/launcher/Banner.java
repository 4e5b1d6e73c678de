package io.kickoff.launcher;

import java.io.PrintWriter;

/** What a user needs to talk to a running platform, printed at start-up. */
final class Banner {
    private Banner() {
    }

    static void print(PrintWriter out, PlatformOptions options, Platform platform) {
        String host = options.host;
        String http = TlsOptions.scheme(platform.tls(), "http");
        String ws = TlsOptions.scheme(platform.tls(), "ws");
        out.printf("Kickoff is up (mode %s).%n", options.mode);
        for (String line : platform.infrastructure().describe()) {
            out.println("  " + line);
        }
        out.printf("  admin API     %s://%s:%d/v1/events   (Authorization: Bearer %s)%n", http,
                host, platform.lsm().adminPort(), options.operatorToken());
        out.printf("  console       %s://%s:%d/console/    (sign in with an admin token)%n", http,
                host, platform.lsm().adminPort());
        out.printf("  device socket %s://%s:%d/v1/connect    (device tokens: kickoff token --device ID --segment S)%n", ws,
                host, platform.gateway().port());
        out.printf("  gateway health %s://%s:%d/healthz, /readyz%n", http, host, platform.gateway().port());
        out.printf("  bundle API    %s://%s:%d/v1/bundles  (device token, or ?segment=S for tools; %s)%n", http,
                host, platform.prefetch().port(), platform.prefetch().describeCatalog());
        out.printf("  home screen   %s://%s:%d/home/       (a device in your browser%s; SDK: /sdk/kickoff-device.js)%n", http,
                host, platform.prefetch().port(), platform.homeTokensOffered() ? ""
                        : "; needs --offer-home-tokens with a real --token-secret");
        platform.audience().ifPresentOrElse(
                audience -> out.printf("  audience      Kafka Streams %s: kickoff.viewing -> kickoff.audience   (state %s%s)%n",
                        Platform.PlatformAudience.APPLICATION_ID, audience.stateDir(),
                        options.mode == Mode.embedded ? ", deleted on exit" : ""),
                () -> out.println("  audience      none: it runs on Kafka (--mode embedded or external)"));
        out.flush();
    }
}
