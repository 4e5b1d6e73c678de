package io.kickoff.launcher;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Checks a {@code --kafka} value up front, so a typo is a usage error rather than a minute of client retries. */
final class KafkaAddress {
    private KafkaAddress() {
    }

    static void validate(CommandSpec spec, String bootstrap) {
        for (String server : bootstrap.split(",")) {
            String s = server.trim();
            int colon = s.lastIndexOf(':');
            boolean ok = colon > 0 && colon < s.length() - 1;
            if (ok) {
                try {
                    int port = Integer.parseInt(s.substring(colon + 1));
                    ok = port > 0 && port <= 65535;
                } catch (NumberFormatException e) {
                    ok = false;
                }
            }
            if (!ok) {
                throw new ParameterException(spec.commandLine(),
                        "--kafka wants HOST:PORT[,HOST:PORT...], got '" + bootstrap + "'");
            }
        }
    }
}
