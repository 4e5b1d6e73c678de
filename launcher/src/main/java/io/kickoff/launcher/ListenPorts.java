package io.kickoff.launcher;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Checks the ports a command is about to listen on before anything starts, so that a taken port is one line naming
 * the port and the option that set it, not a stack trace from deep inside a server's bind.
 */
final class ListenPorts {
    private ListenPorts() {
    }

    /** Throws a usage error (exit 2) if {@code host:port} cannot be bound now; port 0 (any free port) always passes. */
    static void requireFree(String host, int port, String option) {
        if (port == 0) {
            return;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot listen on " + host + ":" + port + " (" + option + "): "
                    + (e.getMessage() == null ? e : e.getMessage()) + "; choose another with " + option
                    + ", or 0 for any free port");
        }
    }
}
