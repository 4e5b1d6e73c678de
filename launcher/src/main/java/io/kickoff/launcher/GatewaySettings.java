package io.kickoff.launcher;

import io.kickoff.gateway.GatewayConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * The gateway's protocol and protection settings as options (and so as keys of the configuration file), with the
 * defaults of {@link GatewayConfig}, for commands that run a gateway. Durations read {@code 30s}, sizes {@code 64KiB}.
 */
final class GatewaySettings {
    @Option(names = "--hello-timeout", paramLabel = "DURATION", description = "A device that has not sent hello by then is closed, 1008 (default: ${DEFAULT-VALUE}).")
    Duration helloTimeout;

    @Option(names = "--heartbeat-interval", paramLabel = "DURATION", description = "The node pings each device this often; told in welcome (default: ${DEFAULT-VALUE}).")
    Duration heartbeatInterval;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", description = "A device the node has read nothing from for this long is closed, 4002 (default: ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Option(names = "--max-frame-size", paramLabel = "SIZE", description = "Largest frame a device may send, larger: 1009 (default: ${DEFAULT-VALUE}).")
    ByteSize maxFrameSize;

    @Option(names = "--inbound-frames-per-second", paramLabel = "N", description = "Frames per second a device may send, beyond the burst: 1008 (default: ${DEFAULT-VALUE}).")
    Integer inboundPerSecond;

    @Option(names = "--inbound-burst", paramLabel = "N", description = "Frames a device may send at once (default: ${DEFAULT-VALUE}).")
    Integer inboundBurst;

    @Option(names = "--reconnect-base", paramLabel = "DURATION", description = "Base of the devices' reconnect backoff, told in welcome (default: ${DEFAULT-VALUE}).")
    Duration reconnectBase;

    @Option(names = "--reconnect-max", paramLabel = "DURATION", description = "Cap of the devices' reconnect backoff (default: ${DEFAULT-VALUE}).")
    Duration reconnectMax;

    @Option(names = "--ack-timeout", paramLabel = "DURATION", description = "An un-acked update is sent again after this, doubling each time (default: ${DEFAULT-VALUE}).")
    Duration ackTimeout;

    @Option(names = "--max-redeliveries", paramLabel = "N", description = "Times an un-acked update is sent again on one connection (default: ${DEFAULT-VALUE}).")
    Integer maxRedeliveries;

    @Option(names = "--write-buffer-low", paramLabel = "SIZE", description = "Queued bytes below which a slow device is written to again (default: ${DEFAULT-VALUE}).")
    ByteSize writeBufferLow;

    @Option(names = "--write-buffer-high", paramLabel = "SIZE", description = "Queued bytes above which writes to a device are held back (default: ${DEFAULT-VALUE}).")
    ByteSize writeBufferHigh;

    @Option(names = "--slow-consumer-timeout", paramLabel = "DURATION", description = "A device that cannot be written to for this long is closed, 4001 (default: ${DEFAULT-VALUE}).")
    Duration slowConsumerTimeout;

    @Option(names = "--max-lifetime", paramLabel = "DURATION", description = "Devices are asked to move (go_away) after this... (default: ${DEFAULT-VALUE}).")
    Duration maxLifetime;

    @Option(names = "--lifetime-dither", paramLabel = "DURATION", description = "...minus a random part up to this, so they do not all move at once (default: ${DEFAULT-VALUE}).")
    Duration lifetimeDither;

    @Option(names = "--go-away-jitter", paramLabel = "DURATION", description = "Reconnect delays in go_away are random below this (default: ${DEFAULT-VALUE}).")
    Duration goAwayJitter;

    @Option(names = "--fd-reserve", paramLabel = "N", description = "Open files kept free for probes, metrics, the bus and handshakes (default: ${DEFAULT-VALUE}).")
    Integer fdReserve;

    @Option(names = "--retry-after-min", paramLabel = "DURATION", description = "Smallest Retry-After of a 503 or 429 (default: ${DEFAULT-VALUE}).")
    Duration retryAfterMin;

    @Option(names = "--retry-after-max", paramLabel = "DURATION", description = "Largest Retry-After of a 503 or 429; each answer gets a random one between (default: ${DEFAULT-VALUE}).")
    Duration retryAfterMax;

    @Option(names = "--bundle-push-window", paramLabel = "DURATION", description = "A new bundle reaches all its devices spread over this window (default: ${DEFAULT-VALUE}).")
    Duration bundlePushWindow;

    @Option(names = "--delivery-report-interval", paramLabel = "DURATION", description = "How often delivery figures and presence go on the bus (default: ${DEFAULT-VALUE}).")
    Duration deliveryReportInterval;

    @Option(names = "--upgrade-timeout", paramLabel = "DURATION", description = "A connection that has not completed its upgrade by then gets 408 (default: ${DEFAULT-VALUE}).")
    Duration upgradeTimeout;

    @Option(names = "--auth-failures-per-second", paramLabel = "N", description = "Refused tokens per second per source address before 429 instead of 401 (default: ${DEFAULT-VALUE}).")
    Integer authFailuresPerSecond;

    @Option(names = "--auth-failure-burst", paramLabel = "N", description = "Refused tokens at once per source address (default: ${DEFAULT-VALUE}).")
    Integer authFailureBurst;

    @Option(names = "--auth-failure-sources", paramLabel = "N", description = "Source addresses whose refused tokens are remembered (default: ${DEFAULT-VALUE}).")
    Integer authFailureSources;

    @Option(names = "--viewing-heartbeat-interval", paramLabel = "DURATION", description = "Devices that play repeat a viewing signal this often; told in welcome. The audience's --viewing-heartbeat-interval must be the same (default: ${DEFAULT-VALUE}).")
    Duration viewingHeartbeatInterval;

    @Option(names = "--viewing-flush-interval", paramLabel = "DURATION", description = "Queued viewing signals go to kickoff.viewing this often... (default: ${DEFAULT-VALUE}).")
    Duration viewingFlushInterval;

    @Option(names = "--viewing-batch-size", paramLabel = "N", description = "...or as soon as this many are queued (default: ${DEFAULT-VALUE}).")
    Integer viewingBatchSize;

    @Option(names = "--viewing-max-queued", paramLabel = "N", description = "Viewing signals queued while Kafka is slow; past it the oldest heartbeat is dropped first, a state change only when no heartbeat is left (default: ${DEFAULT-VALUE}).")
    Integer viewingMaxQueued;

    /** The default provider of a command that has these settings and no other defaults from elsewhere. */
    static final class Defaults implements IDefaultValueProvider {
        @Override
        public String defaultValue(ArgSpec arg) {
            return arg instanceof OptionSpec option ? defaults().get(option.longestName()) : null;
        }
    }

    /** Each option's default, from {@link GatewayConfig}'s, so help and {@code config print} never go stale. */
    static Map<String, String> defaults() {
        GatewayConfig d = GatewayConfig.builder().build();
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("--hello-timeout", d.helloTimeout());
        values.put("--heartbeat-interval", d.heartbeatInterval());
        values.put("--idle-timeout", d.idleTimeout());
        values.put("--max-frame-size", new ByteSize(d.maxFrameBytes()));
        values.put("--inbound-frames-per-second", d.inboundPerSecond());
        values.put("--inbound-burst", d.inboundBurst());
        values.put("--reconnect-base", d.reconnectBase());
        values.put("--reconnect-max", d.reconnectMax());
        values.put("--ack-timeout", d.ackTimeout());
        values.put("--max-redeliveries", d.maxRedeliveries());
        values.put("--write-buffer-low", new ByteSize(d.writeBufferLow()));
        values.put("--write-buffer-high", new ByteSize(d.writeBufferHigh()));
        values.put("--slow-consumer-timeout", d.slowConsumerTimeout());
        values.put("--max-lifetime", d.maxLifetime());
        values.put("--lifetime-dither", d.lifetimeDither());
        values.put("--go-away-jitter", d.goAwayJitter());
        values.put("--fd-reserve", d.fdReserve());
        values.put("--retry-after-min", d.retryAfterMin());
        values.put("--retry-after-max", d.retryAfterMax());
        values.put("--bundle-push-window", d.bundlePushWindow());
        values.put("--delivery-report-interval", d.deliveryReportInterval());
        values.put("--upgrade-timeout", d.upgradeTimeout());
        values.put("--auth-failures-per-second", d.authFailuresPerSecond());
        values.put("--auth-failure-burst", d.authFailureBurst());
        values.put("--auth-failure-sources", d.authFailureSources());
        values.put("--viewing-heartbeat-interval", d.viewing().heartbeatInterval());
        values.put("--viewing-flush-interval", d.viewing().flushInterval());
        values.put("--viewing-batch-size", d.viewing().batchSize());
        values.put("--viewing-max-queued", d.viewing().maxQueued());
        Map<String, String> text = new LinkedHashMap<>();
        values.forEach((name, value) -> text.put(name, value instanceof Duration duration ? Durations.format(duration) : value.toString()));
        return text;
    }

    /** These settings on {@code config}; {@link GatewayConfig} refuses inconsistent ones in words. */
    GatewayConfig.Builder applyTo(GatewayConfig.Builder config) {
        return config.helloTimeout(helloTimeout)
                .heartbeatInterval(heartbeatInterval)
                .idleTimeout(idleTimeout)
                .maxFrameBytes(maxFrameSize.asInt("--max-frame-size"))
                .inboundRate(inboundPerSecond, inboundBurst)
                .reconnect(reconnectBase, reconnectMax)
                .ackTimeout(ackTimeout)
                .maxRedeliveries(maxRedeliveries)
                .writeBuffer(writeBufferLow.asInt("--write-buffer-low"), writeBufferHigh.asInt("--write-buffer-high"))
                .slowConsumerTimeout(slowConsumerTimeout)
                .lifetime(maxLifetime, lifetimeDither)
                .goAwayJitter(goAwayJitter)
                .fdReserve(fdReserve)
                .retryAfter(retryAfterMin, retryAfterMax)
                .bundlePushWindow(bundlePushWindow)
                .deliveryReportInterval(deliveryReportInterval)
                .upgradeTimeout(upgradeTimeout)
                .authFailures(authFailuresPerSecond, authFailureBurst)
                .authFailureSources(authFailureSources)
                .viewing(new GatewayConfig.ViewingSignals(viewingHeartbeatInterval, viewingFlushInterval, viewingBatchSize,
                        viewingMaxQueued));
    }
}
