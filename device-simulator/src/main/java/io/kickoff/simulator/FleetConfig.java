package io.kickoff.simulator;

import io.kickoff.protocol.WireFormat;
import io.kickoff.protocol.token.DeviceTokens;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;
import javax.net.ssl.TrustManagerFactory;

/**
 * How a {@link DeviceFleet} connects and behaves.
 *
 * @param gateways              WebSocket endpoints ({@code ws://host:port} or {@code wss://host:port}; path defaults to
 *                              {@value #CONNECT_PATH}). Device {@code i} starts on gateway
 *                              {@code i % n}; after a go-away it reconnects to one of the others,
 *                              picked at random (a draining gateway's devices spread over the rest),
 *                              and after a failure or lost connection to the next one in the list (a
 *                              killed gateway's devices land on the others).
 * @param devices               how many devices the fleet plays
 * @param deviceIds             device index → device id, used for views and error messages only (the
 *                              gateway learns the id from the token, so keep the two consistent)
 * @param tokens                device index → token, called on every connection attempt so tokens may
 *                              be refreshed; must be thread-safe and cheap. {@code null} sends no token.
 * @param maxConcurrentConnects connection attempts in flight at once (from dial to welcome or failure)
 * @param connectsPerSecond     attempts started per second, 0 for no limit; applies to reconnects too
 * @param localAddresses        source addresses bound in round robin by device index (one address
 *                              reaches only ~5k sockets to one gateway port quickly); empty lets the OS choose
 * @param reconnect             false: a device whose connection ends stays disconnected (after go-away too)
 * @param reconnectBaseDelay    backoff base until a welcome brings the gateway's own policy
 * @param reconnectMaxDelay     backoff cap until a welcome brings the gateway's own policy
 * @param capabilities          sent in every hello
 * @param ioThreads             event loop threads, 0 for Netty's default (twice the cores)
 * @param ackUpdates            true (the real device behaviour): ack every stage update received;
 *                              false: never ack, so the gateway's redelivery can be observed (duplicates)
 * @param bundleApi             the bundle API ({@code http://host:port} or {@code https://}; path defaults to
 *                              {@value #BUNDLES_PATH}) where a device fetches, as {@code critical}, the
 *                              bundle a stage update names when it does not hold that version; null: no
 *                              fetching (such updates are still counted)
 * @param missJitter            a device that must fetch (cache miss or expired bundle) waits a random time in
 *                              {@code [0, missJitter]} first, so a broadcast does not make every device fetch at
 *                              the same instant; zero fetches at once
 * @param misbehaviours         which share of the fleet misbehaves, and how (devices {@code 0..} behave)
 * @param clockSkew             how far the clock of a {@link Misbehaviour#CLOCK_SKEW} device is off (either sign)
 * @param slowReaderStall       how long a {@link Misbehaviour#SLOW_READER} device stops reading after each welcome
 *                              (longer than the gateway's slow-consumer timeout, 15 s by default, to be closed for it);
 *                              then it reads again and learns how the connection ended
 * @param cacheClock            the clock devices judge bundle expiry and max-age by (receipt times, for
 *                              latencies, always use the system clock)
 * @param tlsTrust              whom devices trust over {@code wss://} and {@code https://} (e.g. a private CA's
 *                              certificate, {@code TlsTrust.trustManagers}); null: the JDK's trust store. The
 *                              server's name is checked against its certificate either way.
 * @param play                  which devices play an event once it is LIVE, and after how long ({@link PlayPlan#NONE}:
 *                              none, no viewing signals)
 */
public record FleetConfig(
        List<URI> gateways,
        int devices,
        IntFunction<String> deviceIds,
        IntFunction<String> tokens,
        WireFormat wireFormat,
        TokenTransport tokenTransport,
        int maxConcurrentConnects,
        int connectsPerSecond,
        List<InetAddress> localAddresses,
        boolean reconnect,
        Duration reconnectBaseDelay,
        Duration reconnectMaxDelay,
        Duration handshakeTimeout,
        List<String> capabilities,
        int ioThreads,
        boolean ackUpdates,
        URI bundleApi,
        Duration missJitter,
        MisbehaviourPlan misbehaviours,
        Duration clockSkew,
        Duration slowReaderStall,
        java.time.Clock cacheClock,
        TrustManagerFactory tlsTrust,
        PlayPlan play) {

    public static final String CONNECT_PATH = "/v1/connect";
    public static final String BUNDLES_PATH = "/v1/bundles";

    public FleetConfig {
        Objects.requireNonNull(gateways, "gateways");
        if (gateways.isEmpty()) {
            throw new IllegalArgumentException("at least one gateway URI is needed");
        }
        gateways = gateways.stream().map(FleetConfig::connectEndpoint).toList();
        if (devices < 0) {
            throw new IllegalArgumentException("devices must be >= 0, got " + devices);
        }
        Objects.requireNonNull(deviceIds, "deviceIds");
        Objects.requireNonNull(tokens, "tokens (use i -> null to connect without a token)");
        Objects.requireNonNull(wireFormat, "wireFormat");
        Objects.requireNonNull(tokenTransport, "tokenTransport");
        if (maxConcurrentConnects < 1) {
            throw new IllegalArgumentException("maxConcurrentConnects must be >= 1, got " + maxConcurrentConnects);
        }
        if (connectsPerSecond < 0) {
            throw new IllegalArgumentException("connectsPerSecond must be >= 0, got " + connectsPerSecond);
        }
        localAddresses = List.copyOf(localAddresses);
        requirePositive(reconnectBaseDelay, "reconnectBaseDelay");
        requirePositive(reconnectMaxDelay, "reconnectMaxDelay");
        if (reconnectMaxDelay.compareTo(reconnectBaseDelay) < 0) {
            throw new IllegalArgumentException("reconnectMaxDelay " + reconnectMaxDelay
                    + " is shorter than reconnectBaseDelay " + reconnectBaseDelay);
        }
        requirePositive(handshakeTimeout, "handshakeTimeout");
        capabilities = List.copyOf(capabilities);
        if (ioThreads < 0) {
            throw new IllegalArgumentException("ioThreads must be >= 0, got " + ioThreads);
        }
        if (bundleApi != null) {
            bundleApi = bundlesEndpoint(bundleApi);
        }
        Objects.requireNonNull(missJitter, "missJitter");
        if (missJitter.isNegative()) {
            throw new IllegalArgumentException("missJitter must not be negative, got " + missJitter);
        }
        Objects.requireNonNull(misbehaviours, "misbehaviours (use MisbehaviourPlan.NONE)");
        Objects.requireNonNull(clockSkew, "clockSkew");
        requirePositive(slowReaderStall, "slowReaderStall");
        Objects.requireNonNull(cacheClock, "cacheClock");
        Objects.requireNonNull(play, "play (use PlayPlan.NONE)");
    }

    /** The misbehaviour device {@code index} plays; empty: it behaves. */
    public java.util.Optional<Misbehaviour> misbehaviourOf(int index) {
        return misbehaviours.of(index, devices);
    }

    /** Devices expected to reach a welcome: all but {@link Misbehaviour#SILENT} ones. */
    int devicesExpectedToWelcome() {
        return devices - misbehaviours.count(Misbehaviour.SILENT, devices);
    }

    /** The bundle API's listing: the URI as given, with {@value #BUNDLES_PATH} if it has no path. */
    static URI bundlesEndpoint(URI api) {
        boolean http = "http".equalsIgnoreCase(api.getScheme()) || "https".equalsIgnoreCase(api.getScheme());
        if (!http || api.getHost() == null || api.getPort() < 0) {
            throw new IllegalArgumentException("bundle API URI must be http://host:port or https://host:port: " + api);
        }
        String path = api.getRawPath();
        return path == null || path.isEmpty() || path.equals("/") ? api.resolve(BUNDLES_PATH) : api;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The gateway's device endpoint: the URI as given, with {@value #CONNECT_PATH} if it has no path. */
    static URI connectEndpoint(URI gateway) {
        Objects.requireNonNull(gateway, "gateway URI");
        if (!"ws".equalsIgnoreCase(gateway.getScheme()) && !"wss".equalsIgnoreCase(gateway.getScheme())) {
            throw new IllegalArgumentException("gateway URI must be ws:// or wss://: " + gateway);
        }
        if (gateway.getHost() == null || gateway.getPort() < 0) {
            throw new IllegalArgumentException("gateway URI needs a host and a port: " + gateway);
        }
        String path = gateway.getRawPath();
        if (path == null || path.isEmpty() || path.equals("/")) {
            return gateway.resolve(CONNECT_PATH);
        }
        return gateway;
    }

    /** Whether a gateway or bundle API URI speaks TLS ({@code wss://}, {@code https://}). */
    static boolean isTls(URI uri) {
        return "wss".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
    }

    private static void requirePositive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + duration);
        }
    }

    /**
     * Defaults: protobuf, header tokens, 256 attempts in flight, no rate limit, reconnect on, backoff 250 ms .. 30 s,
     * acks on, no miss jitter, nobody misbehaves (slow readers would stall 30 s), nobody plays.
     */
    public static final class Builder {
        private final List<URI> gateways = new ArrayList<>();
        private int devices = 1;
        private IntFunction<String> deviceIds = index -> "device-" + index;
        private IntFunction<String> tokens;
        private WireFormat wireFormat = WireFormat.PROTOBUF;
        private TokenTransport tokenTransport = TokenTransport.AUTHORIZATION_HEADER;
        private int maxConcurrentConnects = 256;
        private int connectsPerSecond;
        private List<InetAddress> localAddresses = List.of();
        private boolean reconnect = true;
        private Duration reconnectBaseDelay = Duration.ofMillis(250);
        private Duration reconnectMaxDelay = Duration.ofSeconds(30);
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private List<String> capabilities = List.of();
        private int ioThreads;
        private boolean ackUpdates = true;
        private URI bundleApi;
        private Duration missJitter = Duration.ZERO;
        private MisbehaviourPlan misbehaviours = MisbehaviourPlan.NONE;
        private Duration clockSkew = Duration.ZERO;
        private Duration slowReaderStall = Duration.ofSeconds(30);
        private java.time.Clock cacheClock = java.time.Clock.systemUTC();
        private TrustManagerFactory tlsTrust;
        private PlayPlan play = PlayPlan.NONE;

        private Builder() {
        }

        public Builder gateway(URI gateway) {
            gateways.add(gateway);
            return this;
        }

        public Builder gateway(String gateway) {
            return gateway(URI.create(gateway));
        }

        public Builder gateways(List<URI> uris) {
            gateways.addAll(uris);
            return this;
        }

        public Builder devices(int count) {
            this.devices = count;
            return this;
        }

        public Builder deviceIds(IntFunction<String> ids) {
            this.deviceIds = ids;
            return this;
        }

        public Builder tokens(IntFunction<String> tokenForIndex) {
            this.tokens = tokenForIndex;
            return this;
        }

        /**
         * Devices named {@code idPrefix} + index, each presenting a token for its own id in {@code segment},
         * signed with {@code signer} and valid for {@code ttl} from when the device connects (and reconnects).
         * Sets {@link #deviceIds} and {@link #tokens}.
         */
        public Builder signedDevices(String idPrefix, String segment, DeviceTokens signer, Duration ttl) {
            Objects.requireNonNull(idPrefix, "idPrefix");
            Objects.requireNonNull(segment, "segment");
            Objects.requireNonNull(signer, "signer");
            Objects.requireNonNull(ttl, "ttl");
            this.deviceIds = i -> idPrefix + i;
            this.tokens = i -> signer.issue(idPrefix + i, segment, ttl);
            return this;
        }

        public Builder wireFormat(WireFormat format) {
            this.wireFormat = format;
            return this;
        }

        Builder tokenTransport(TokenTransport transport) {
            this.tokenTransport = transport;
            return this;
        }

        public Builder maxConcurrentConnects(int attempts) {
            this.maxConcurrentConnects = attempts;
            return this;
        }

        public Builder connectsPerSecond(int rate) {
            this.connectsPerSecond = rate;
            return this;
        }

        public Builder localAddresses(List<InetAddress> addresses) {
            this.localAddresses = addresses;
            return this;
        }

        public Builder reconnect(boolean enabled) {
            this.reconnect = enabled;
            return this;
        }

        public Builder reconnectBackoff(Duration base, Duration max) {
            this.reconnectBaseDelay = base;
            this.reconnectMaxDelay = max;
            return this;
        }

        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = timeout;
            return this;
        }

        public Builder capabilities(List<String> names) {
            this.capabilities = names;
            return this;
        }

        public Builder ioThreads(int threads) {
            this.ioThreads = threads;
            return this;
        }

        /** False: devices never ack stage updates (they still apply them), e.g. to test redelivery. */
        public Builder ackUpdates(boolean ack) {
            this.ackUpdates = ack;
            return this;
        }

        /** Where devices fetch a bundle a stage update names and they lack (as {@code critical}). */
        public Builder bundleApi(URI api) {
            this.bundleApi = api;
            return this;
        }

        /** A device that must fetch a bundle waits a random time in {@code [0, jitter]} first. */
        public Builder missJitter(Duration jitter) {
            this.missJitter = jitter;
            return this;
        }

        public Builder misbehaviours(MisbehaviourPlan plan) {
            this.misbehaviours = plan;
            return this;
        }

        /** How far the clock of each {@link Misbehaviour#CLOCK_SKEW} device is off. */
        public Builder clockSkew(Duration skew) {
            this.clockSkew = skew;
            return this;
        }

        /** How long a {@link Misbehaviour#SLOW_READER} device stops reading after each welcome. */
        public Builder slowReaderStall(Duration stall) {
            this.slowReaderStall = stall;
            return this;
        }

        /** The clock devices judge bundle expiry and max-age by; tests move it instead of waiting. */
        public Builder cacheClock(java.time.Clock clock) {
            this.cacheClock = clock;
            return this;
        }

        /** Whom devices trust over wss:// and https://; null (the default): the JDK's trust store. */
        public Builder tlsTrust(TrustManagerFactory trust) {
            this.tlsTrust = trust;
            return this;
        }

        /** Which devices play an event once it is LIVE, and after how long; {@link PlayPlan#NONE} by default. */
        public Builder play(PlayPlan plan) {
            this.play = plan;
            return this;
        }

        public FleetConfig build() {
            return new FleetConfig(List.copyOf(gateways), devices, deviceIds, tokens, wireFormat, tokenTransport,
                    maxConcurrentConnects, connectsPerSecond, localAddresses, reconnect, reconnectBaseDelay,
                    reconnectMaxDelay, handshakeTimeout, capabilities, ioThreads, ackUpdates, bundleApi,
                    missJitter, misbehaviours, clockSkew, slowReaderStall, cacheClock,
                    tlsTrust, play);
        }
    }
}
