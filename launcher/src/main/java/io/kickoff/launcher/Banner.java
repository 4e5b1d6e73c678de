package io.kickoff.launcher;

import java.io.PrintWriter;

/** What a user needs to talk to a running platform, printed at start-up. */
final class Banner {
    private Banner() {
    }

    static void print(PrintWriter out, PlatformOptions options, Platform platform) {
        String host = options.host;
        out.printf("Kickoff is up (mode %s).%n", options.mode);
        for (String line : platform.infrastructure().describe()) {
            out.println("  " + line);
        }
        out.printf("  admin API     http://%s:%d/v1/events   (Authorization: Bearer %s)%n",
                host, platform.lsm().adminPort(), options.operatorToken());
        out.printf("  console       http://%s:%d/console/    (sign in with an admin token)%n",
                host, platform.lsm().adminPort());
        out.printf("  device socket ws://%s:%d/v1/connect    (device tokens: kickoff token --device ID --segment S)%n",
                host, platform.gateway().port());
        out.printf("  gateway health http://%s:%d/healthz, /readyz%n", host, platform.gateway().port());
        out.printf("  bundle API    http://%s:%d/v1/bundles  (device token, or ?segment=S for tools; %s)%n",
                host, platform.prefetch().port(), platform.prefetch().describeCatalog());
        out.printf("  home screen   http://%s:%d/home/       (a device in your browser%s; SDK: /sdk/kickoff-device.js)%n",
                host, platform.prefetch().port(), platform.homeTokensOffered() ? ""
                        : "; needs --offer-home-tokens with a real --token-secret");
        out.flush();
    }
}
