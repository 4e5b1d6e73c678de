package io.kickoff.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.Test;

class ListeningSocketTest {

    @Test
    void bindsAnyFreePortAcceptsConnectionsAndFreesThePortOnClose() throws Exception {
        ListeningSocket socket = ListeningSocket.bind("127.0.0.1", 0, 1, "listening-test", new ChannelInboundHandlerAdapter());
        int port = socket.port();
        assertThat(port).isPositive();
        assertThat(socket.transportName()).isIn("epoll", "nio");
        try (Socket client = new Socket()) {
            client.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            assertThat(client.isConnected()).isTrue();
        }
        socket.close();
        // Unbound: the same port can be bound again.
        ListeningSocket again = ListeningSocket.bind("127.0.0.1", port, 1, "listening-test", new ChannelInboundHandlerAdapter());
        assertThat(again.port()).isEqualTo(port);
        again.close();
    }

    @Test
    void aPortAlreadyTakenIsABindExceptionAndLeavesNoThreadRunning() throws Exception {
        try (ListeningSocket taken = ListeningSocket.bind("127.0.0.1", 0, 1, "listening-taken", new ChannelInboundHandlerAdapter())) {
            assertThatThrownBy(() -> ListeningSocket.bind("127.0.0.1", taken.port(), 1, "listening-refused",
                    new ChannelInboundHandlerAdapter())).isInstanceOf(java.io.IOException.class).hasMessageContaining("in use");
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() ->
                    Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("listening-refused")));
        }
    }
}
