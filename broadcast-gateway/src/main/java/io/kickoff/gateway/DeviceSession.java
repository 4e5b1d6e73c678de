package io.kickoff.gateway;

import io.kickoff.protocol.WireFormat;
import io.kickoff.protocol.token.DeviceClaims;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.util.HashMap;

/**
 * One connected device. Everything mutable here is touched only on the channel's event loop,
 * so it needs no locks. Memory per device is this object plus one small {@link Progress} per
 * event it has heard of: pending state is O(active events), never a queue.
 */
final class DeviceSession {
    public static final AttributeKey<DeviceSession> KEY = AttributeKey.valueOf("kickoff.session");

    private final Channel channel;
    private final String deviceId;
    private final String segment;
    // The token's account claim, "" when it has none: viewing signals carry it.
    private final String account;
    private final WireFormat format;
    // Created at the first event the device hears of: an idle device holds no map.
    // Null until the device hears of its first event (most idle connections hold no map); one class
    // for every session, so the fan-out's compiled lookups never meet a second one (Map.of() did).
    private HashMap<String, Progress> progress;
    private boolean greeted;
    private boolean closing;
    // Index in the registry's list for this event loop; -1 when not registered.
    int slot = -1;
    // Inbound token bucket.
    private double inboundTokens;
    private long inboundRefilledAt;
    private long lastReadAt;
    private long unwritableSince;
    private long lastPingAt;
    private long moveAt = Long.MAX_VALUE;
    // Drain: when this device is sent away, and when its connection is closed after the go-away.
    private long leaveAt = Long.MAX_VALUE;
    private long closeAt = Long.MAX_VALUE;
    // Acks the device may still send without touching its rate budget: one per update written to it.
    private int ackCredit;
    // Events with an update sent and not yet acked; with the world version below, lets the upkeep
    // skip a device that owes nothing and awaits nothing.
    private int pendingEvents;
    private long reconciledWorld = -1;
    // When the upkeep must next look at the pending updates (System.nanoTime scale): the earliest
    // redelivery due. Unknown after a new send, so the next round works it out; until it is due the
    // upkeep leaves the device alone instead of re-checking every un-acked device every round.
    private boolean redeliveryDueKnown;
    private long redeliveryDueAt;

    /**
     * Where one event stands for this device: the highest seq sent to it (or that it reported),
     * the highest it acked, and the redelivery clock of the latest one sent.
     */
    public static final class Progress {
        long sent;
        long acked;
        long sentAt;
        int attempts;

        public long sent() {
            return sent;
        }

        public long acked() {
            return acked;
        }

        public int attempts() {
            return attempts;
        }

        public boolean pending() {
            return sent > acked;
        }
    }

    public DeviceSession(Channel channel, DeviceClaims claims, WireFormat format) {
        this(channel, claims.deviceId(), claims.segment(), claims.account(), format);
    }

    /**
     * Keeps only what the session needs of the token's claims (its expiry was checked at the
     * upgrade); {@code segment} is best the node's shared copy ({@link SegmentNames}).
     */
    public DeviceSession(Channel channel, String deviceId, String segment, String account, WireFormat format) {
        this.channel = channel;
        this.deviceId = deviceId;
        this.segment = segment;
        this.account = account;
        this.format = format;
    }

    public Channel channel() {
        return channel;
    }

    public String deviceId() {
        return deviceId;
    }

    public String segment() {
        return segment;
    }

    /** The account of the device's token, {@code ""} when it names none. */
    public String account() {
        return account;
    }

    public WireFormat format() {
        return format;
    }

    public boolean greeted() {
        return greeted;
    }

    void markGreeted() {
        greeted = true;
    }

    /** True once the server decided to close this connection (go-away sent, or an error). */
    public boolean closing() {
        return closing;
    }

    public void markClosing() {
        closing = true;
    }

    /** The highest seq this device has or was sent for the event; 0 if none. */
    public long position(String eventId) {
        Progress p = progress(eventId);
        return p == null ? 0 : Math.max(p.sent, p.acked);
    }

    /** The event's progress, or null if the device never heard of it. */
    public Progress progress(String eventId) {
        return progress == null ? null : progress.get(eventId);
    }

    /** The device says it already has {@code seq}: nothing at or below it will be sent. */
    public void reported(String eventId, long seq) {
        Progress p = progressFor(eventId);
        boolean wasPending = p.pending();
        p.acked = Math.max(p.acked, seq);
        p.sent = Math.max(p.sent, seq);
        settle(wasPending, p);
    }

    /**
     * Records that {@code seq} is being written now and awaits an ack. Returns false (and records
     * nothing) if the device already has or was sent {@code seq} or later.
     */
    public boolean sending(String eventId, long seq, long nowNanos) {
        Progress p = progressFor(eventId);
        if (Math.max(p.sent, p.acked) >= seq) {
            return false;
        }
        if (!p.pending()) {
            pendingEvents++;
        }
        p.sent = seq;
        p.sentAt = nowNanos;
        p.attempts = 1;
        redeliveryDueKnown = false;
        expectAck();
        return true;
    }

    private Progress progressFor(String eventId) {
        Progress p = progress(eventId);
        if (p == null) {
            if (progress == null) {
                progress = new HashMap<>(4);
            }
            p = new Progress();
            progress.put(eventId, p);
        }
        return p;
    }

    /** Records a redelivery of the pending update. */
    void resent(Progress p, long nowNanos) {
        p.sentAt = nowNanos;
        p.attempts++;
        expectAck();
    }

    /** Records an ack; returns true if it acknowledged something not acked before. */
    public boolean acked(String eventId, long seq) {
        Progress p = progress(eventId);
        if (p == null) {
            // An ack for something we never sent (another node did, before a reconnect): remember it.
            reported(eventId, seq);
            return false;
        }
        if (seq <= p.acked) {
            return false;
        }
        boolean wasPending = p.pending();
        p.acked = seq;
        p.sent = Math.max(p.sent, seq);
        settle(wasPending, p);
        return true;
    }

    private void settle(boolean wasPending, Progress p) {
        if (wasPending && !p.pending()) {
            pendingEvents--;
        } else if (!wasPending && p.pending()) {
            pendingEvents++;
        }
    }

    /**
     * True if the device has not been compared with this world version yet, or awaits an ack for
     * something whose redelivery may be due at {@code nowNanos}.
     */
    boolean needsTending(long worldVersion, long nowNanos) {
        return reconciledWorld != worldVersion
                || (pendingEvents > 0 && (!redeliveryDueKnown || nowNanos - redeliveryDueAt >= 0));
    }

    /**
     * The device was compared with the whole world as of {@code worldVersion}: it owes nothing, and
     * no pending update is due for redelivery before {@code nextDueNanos}.
     */
    void reconciled(long worldVersion, long nextDueNanos) {
        reconciledWorld = worldVersion;
        redeliveryDueKnown = true;
        redeliveryDueAt = nextDueNanos;
    }

    /** Takes one inbound frame from the token bucket; false if the device is over its rate. */
    boolean admitInbound(long nowNanos, int perSecond, int burst) {
        if (inboundRefilledAt == 0) {
            inboundTokens = burst;
        } else {
            inboundTokens = Math.min(burst, inboundTokens + (nowNanos - inboundRefilledAt) * perSecond / 1e9);
        }
        inboundRefilledAt = nowNanos;
        if (inboundTokens < 1) {
            return false;
        }
        inboundTokens -= 1;
        return true;
    }

    /** One more update was written to this device, so one more ack is expected. */
    public void expectAck() {
        if (ackCredit < Integer.MAX_VALUE) {
            ackCredit++;
        }
    }

    /** Takes an expected ack; false if the device acks more than it was sent. */
    boolean takeAckCredit() {
        if (ackCredit <= 0) {
            return false;
        }
        ackCredit--;
        return true;
    }

    void readAt(long nowNanos) {
        lastReadAt = nowNanos;
    }

    long lastReadAt() {
        return lastReadAt;
    }

    /** When the channel became unwritable (0 while writable). */
    long unwritableSince() {
        return unwritableSince;
    }

    void writability(boolean writable, long nowNanos) {
        unwritableSince = writable ? 0 : (unwritableSince == 0 ? nowNanos : unwritableSince);
    }

    long lastPingAt() {
        return lastPingAt;
    }

    void pingedAt(long nowNanos) {
        lastPingAt = nowNanos;
    }

    /** When this connection should be asked to move (lifetime cap); Long.MAX_VALUE if never. */
    long moveAt() {
        return moveAt;
    }

    void moveAt(long nanos) {
        moveAt = nanos;
    }

    /** When a drain sends this device away (System.nanoTime scale); Long.MAX_VALUE if no drain has. */
    long leaveAt() {
        return leaveAt;
    }

    /** Gives the device its moment to leave a draining node; the lifetime cap no longer applies. */
    void leaveAt(long nanos) {
        leaveAt = nanos;
        moveAt = Long.MAX_VALUE;
    }

    /** When a connection already told to go away is closed if the device has not closed it; Long.MAX_VALUE if never. */
    long closeAt() {
        return closeAt;
    }

    void closeAt(long nanos) {
        closeAt = nanos;
    }
}
