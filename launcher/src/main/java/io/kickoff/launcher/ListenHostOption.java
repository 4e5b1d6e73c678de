package io.kickoff.launcher;

import picocli.CommandLine.Option;

/** {@code --host} of a service run alone ({@code gateway}, {@code lsm}, {@code prefetch}). */
final class ListenHostOption {
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    /** The port is free on the host now, or a usage error naming {@code option} (exit 2). */
    void requireFree(int port, String option) {
        ListenPorts.requireFree(host, port, option);
    }
}
