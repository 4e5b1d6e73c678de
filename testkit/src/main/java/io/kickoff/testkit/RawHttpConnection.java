package io.kickoff.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One TCP connection to an HTTP server that sends exactly the bytes a test gives (half-sent headers, two Host
 * headers, malformed targets...) and reads what comes back until the server closes.
 */
public final class RawHttpConnection implements AutoCloseable {
    private final Socket socket;

    public RawHttpConnection(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(30_000);
    }

    /**
     * Opens a connection to {@code port}, sends {@code request} and returns everything the server sends until it
     * closes the connection (see {@link #readUntilClosed}).
     */
    public static String exchange(int port, String request, Duration wait) throws IOException {
        try (RawHttpConnection connection = new RawHttpConnection(port)) {
            return connection.send(request).readUntilClosed(wait);
        }
    }

    /** Sends {@code text} as ISO-8859-1 bytes. */
    public RawHttpConnection send(String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        return this;
    }

    /**
     * Everything the server sends until it closes the connection (or {@code wait} passes, which fails: a server
     * that keeps the connection open is what these tests look for).
     */
    public String readUntilClosed(Duration wait) throws IOException {
        socket.setSoTimeout((int) wait.toMillis());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server kept the connection open for " + wait + "; received so far: "
                    + out.toString(StandardCharsets.ISO_8859_1));
        } catch (java.net.SocketException e) {
            // reset after the answer: what was read is the answer
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    /** The status code of the first response in {@code received}, or -1 if there is none. */
    public static int status(String received) {
        if (!received.startsWith("HTTP/1.1 ") || received.length() < 12) {
            return -1;
        }
        return Integer.parseInt(received.substring(9, 12));
    }

    /** The value of header {@code name} in the first response of {@code received}, or null. */
    public static String header(String received, String name) {
        int end = received.indexOf("\r\n\r\n");
        String head = end < 0 ? received : received.substring(0, end);
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    /** The body of the first response in {@code received}. */
    public static String body(String received) {
        int end = received.indexOf("\r\n\r\n");
        return end < 0 ? "" : received.substring(end + 4);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
