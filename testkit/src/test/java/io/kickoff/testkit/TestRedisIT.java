package io.kickoff.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TestRedisIT {

    @RegisterExtension
    static final TestRedis redis = new TestRedis();

    @BeforeEach
    void running() {
        redis.start(); // a no-op unless an earlier test left it down
    }

    @Test
    void answersPingOnTheAdvertisedAddress() throws IOException {
        assertThat(redis.isRunning()).isTrue();
        assertThat(redis.host()).isEqualTo("127.0.0.1");
        assertThat(redis.uri()).isEqualTo("redis://127.0.0.1:" + redis.port());
        assertThat(command("PING")).isEqualTo("PONG");
    }

    @Test
    void startIsIdempotentWhileRunning() throws IOException {
        String key = uniqueKey();
        command("SET", key, "v");
        int port = redis.port();

        redis.start();

        assertThat(redis.port()).isEqualTo(port);
        assertThat(command("GET", key)).isEqualTo("v");
    }

    @Test
    void dataSurvivesRestartOnTheSamePort() throws IOException {
        String key = uniqueKey();
        assertThat(command("SET", key, "before-restart")).isEqualTo("OK");
        int port = redis.port();

        redis.restart();

        assertThat(redis.isRunning()).isTrue();
        assertThat(redis.port()).isEqualTo(port);
        assertThat(command("GET", key)).isEqualTo("before-restart");
    }

    @Test
    void stoppedServerRefusesConnections() throws IOException {
        String key = uniqueKey();
        command("SET", key, "before-stop");

        redis.stop();

        assertThat(redis.isRunning()).isFalse();
        assertThatThrownBy(() -> command("PING")).isInstanceOf(IOException.class);

        redis.start();
        assertThat(command("GET", key)).isEqualTo("before-stop");
    }

    @Test
    void acknowledgedWritesSurviveKill() throws IOException {
        String key = uniqueKey();
        assertThat(command("SET", key, "before-kill")).isEqualTo("OK");
        assertThat(command("INCR", key + ":counter")).isEqualTo("1");

        redis.kill();

        assertThat(redis.isRunning()).isFalse();
        assertThatThrownBy(() -> command("PING")).isInstanceOf(IOException.class);

        redis.start();

        assertThat(redis.isRunning()).isTrue();
        assertThat(command("GET", key)).isEqualTo("before-kill");
        assertThat(command("INCR", key + ":counter")).isEqualTo("2");
    }

    private static String uniqueKey() {
        return "testkit:" + UUID.randomUUID();
    }

    /**
     * Sends one command as a RESP array on a fresh connection and returns the reply: the text of a simple string,
     * integer or bulk string, {@code null} for a null bulk string. An error reply fails the test.
     */
    private static String command(String... args) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(redis.host(), redis.port()), 1000);
            socket.setSoTimeout(5000);
            StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
            for (String arg : args) {
                byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
                request.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
            }
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();

            InputStream in = new BufferedInputStream(socket.getInputStream());
            String line = readLine(in);
            switch (line.charAt(0)) {
                case '+':
                case ':':
                    return line.substring(1);
                case '$': {
                    int length = Integer.parseInt(line.substring(1));
                    if (length < 0) {
                        return null;
                    }
                    byte[] body = in.readNBytes(length + 2);
                    return new String(body, 0, length, StandardCharsets.UTF_8);
                }
                case '-':
                    throw new AssertionError("Redis answered " + String.join(" ", args) + " with " + line);
                default:
                    throw new AssertionError("Unexpected reply to " + String.join(" ", args) + ": " + line);
            }
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c == -1) {
                throw new IOException("Connection closed before a full reply: " + line);
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }
}
