package io.kickoff.gateway;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of one gateway node. Immutable; build with {@link #builder()}.
 *
 * @param host              address to listen on
 * @param port              port to listen on (0: any free port)
 * @param nodeId            this node's name in welcome frames, logs and statistics
 * @param ioThreads         event loop threads (0: two per core)
 * @param helloTimeout      a device that has not sent hello by then is closed
 * @param heartbeatInterval how often devices should ping, told in welcome
 * @param maxFrameBytes     largest inbound WebSocket frame payload
 * @param reconnectBase     base of the devices' exponential reconnect backoff, told in welcome
 * @param reconnectMax      cap of that backoff
 */
public record GatewayConfig(String host, int port, String nodeId, int ioThreads, Duration helloTimeout,
                            Duration heartbeatInterval, int maxFrameBytes, Duration reconnectBase,
                            Duration reconnectMax) {

    public GatewayConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(nodeId, "nodeId");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        if (maxFrameBytes < 64) {
            throw new IllegalArgumentException("maxFrameBytes must be at least 64");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().host(host).port(port).nodeId(nodeId).ioThreads(ioThreads).helloTimeout(helloTimeout)
                .heartbeatInterval(heartbeatInterval).maxFrameBytes(maxFrameBytes)
                .reconnect(reconnectBase, reconnectMax);
    }

    public static final class Builder {
        private String host = "0.0.0.0";
        private int port = 8080;
        private String nodeId = "gateway-1";
        private int ioThreads = 0;
        private Duration helloTimeout = Duration.ofSeconds(8);
        private Duration heartbeatInterval = Duration.ofSeconds(25);
        private int maxFrameBytes = 8 * 1024;
        private Duration reconnectBase = Duration.ofMillis(500);
        private Duration reconnectMax = Duration.ofSeconds(30);

        public Builder host(String v) { this.host = v; return this; }
        public Builder port(int v) { this.port = v; return this; }
        public Builder nodeId(String v) { this.nodeId = v; return this; }
        public Builder ioThreads(int v) { this.ioThreads = v; return this; }
        public Builder helloTimeout(Duration v) { this.helloTimeout = v; return this; }
        public Builder heartbeatInterval(Duration v) { this.heartbeatInterval = v; return this; }
        public Builder maxFrameBytes(int v) { this.maxFrameBytes = v; return this; }
        public Builder reconnect(Duration base, Duration max) { this.reconnectBase = base; this.reconnectMax = max; return this; }

        public GatewayConfig build() {
            return new GatewayConfig(host, port, nodeId, ioThreads, helloTimeout, heartbeatInterval, maxFrameBytes,
                    reconnectBase, reconnectMax);
        }
    }
}
