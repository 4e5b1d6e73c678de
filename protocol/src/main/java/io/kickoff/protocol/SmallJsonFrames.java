package io.kickoff.protocol;

import io.kickoff.protocol.v1.Ack;
import io.kickoff.protocol.v1.ClientFrame;
import io.kickoff.protocol.v1.Ping;
import io.kickoff.protocol.v1.Pong;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A direct reader for the two client frames every device sends over and over in JSON — an ack per
 * update and a ping per heartbeat — and a direct writer for the pong that answers each ping. It reads
 * them in their plain shapes: {@code {"ack":{"eventId":"e","seq":"7"}}}
 * and {@code {"ping":{"nonce":"42"}}}, with any JSON whitespace, the members in any order, the proto
 * names ({@code event_id}) as well, and the numbers quoted or bare. Protobuf's {@code JsonFormat}
 * reads the same frames through reflection and a JSON tree, which costs a multiple of the rest of an
 * ack's path; this reads the bytes once and builds the message directly.
 *
 * <p>It accepts only a strict subset of what {@code JsonFormat} accepts, and gives the same message
 * for it. Anything else — another frame, an unknown or repeated member, escapes or non-ASCII in a
 * string, numbers with a sign, fraction, exponent or leading zero or over 18 digits, trailing bytes —
 * makes it answer {@code null}, and the caller hands the frame to {@code JsonFormat}, so every frame
 * outside the subset, valid or not, gets exactly the answer it got before. The pong it writes is
 * byte for byte what {@code JsonFormat}'s printer (without insignificant whitespace) writes.
 */
final class SmallJsonFrames {
    private static final byte[] ACK = bytes("ack");
    private static final byte[] PING = bytes("ping");
    private static final byte[] EVENT_ID = bytes("eventId");
    private static final byte[] EVENT_ID_PROTO = bytes("event_id");
    private static final byte[] SEQ = bytes("seq");
    private static final byte[] NONCE = bytes("nonce");
    /** 18 digits always fit a positive long. */
    private static final int MAX_DIGITS = 18;

    private final byte[] in;
    private int at;
    // The string or number just read.
    private String string;
    private long number;

    private SmallJsonFrames(byte[] in) {
        this.in = in;
    }

    /**
     * A pong frame as {@code JsonFormat}'s compact printer writes it, or null if its server time is not
     * a valid timestamp (the printer then says why).
     */
    static byte[] pong(Pong pong) {
        StringBuilder json = new StringBuilder(80).append("{\"pong\":{");
        if (pong.getNonce() != 0) {
            json.append("\"nonce\":\"").append(Long.toUnsignedString(pong.getNonce())).append('"');
        }
        if (pong.hasServerTime()) {
            if (!com.google.protobuf.util.Timestamps.isValid(pong.getServerTime())) {
                return null;
            }
            // Instant's ISO form is protobuf's JSON form of a valid Timestamp (UTC, fraction in 0, 3, 6 or 9
            // digits); Timestamps.toString builds it with a SimpleDateFormat, several times slower.
            json.append(pong.getNonce() != 0 ? ",\"serverTime\":\"" : "\"serverTime\":\"")
                    .append(Instant.ofEpochSecond(pong.getServerTime().getSeconds(), pong.getServerTime().getNanos()))
                    .append('"');
        }
        return json.append("}}").toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** The frame, or null if it is not a plain ack or ping (then {@code JsonFormat} must read it). */
    static ClientFrame parse(byte[] json) {
        return new SmallJsonFrames(json).frame();
    }

    private ClientFrame frame() {
        if (!skipThen('{') || !skipThen('"')) {
            return null;
        }
        ClientFrame frame;
        if (name(ACK)) {
            frame = ack();
        } else if (name(PING)) {
            frame = ping();
        } else {
            return null;
        }
        if (frame == null || !skipThen('}')) {
            return null;
        }
        skipWhitespace();
        return at == in.length ? frame : null;
    }

    private ClientFrame ack() {
        if (!skipThen(':') || !skipThen('{')) {
            return null;
        }
        Ack.Builder ack = Ack.newBuilder();
        boolean eventId = false;
        boolean seq = false;
        if (skipThen('}')) {
            return ClientFrame.newBuilder().setAck(ack).build();
        }
        do {
            if (!skipThen('"')) {
                return null;
            }
            if (name(EVENT_ID) || name(EVENT_ID_PROTO)) {
                if (eventId || !skipThen(':') || !string()) {
                    return null;
                }
                eventId = true;
                ack.setEventId(string);
            } else if (name(SEQ)) {
                if (seq || !skipThen(':') || !uint()) {
                    return null;
                }
                seq = true;
                ack.setSeq(number);
            } else {
                return null;
            }
        } while (skipThen(','));
        return skipThen('}') ? ClientFrame.newBuilder().setAck(ack).build() : null;
    }

    private ClientFrame ping() {
        if (!skipThen(':') || !skipThen('{')) {
            return null;
        }
        Ping.Builder ping = Ping.newBuilder();
        if (skipThen('}')) {
            return ClientFrame.newBuilder().setPing(ping).build();
        }
        if (!skipThen('"') || !name(NONCE) || !skipThen(':') || !uint()) {
            return null;
        }
        ping.setNonce(number);
        return skipThen('}') ? ClientFrame.newBuilder().setPing(ping).build() : null;
    }

    /** After an opening quote: true (and past the closing quote) if the member name is exactly {@code name}. */
    private boolean name(byte[] name) {
        int end = at + name.length;
        if (end >= in.length || in[end] != '"') {
            return false;
        }
        for (int i = 0; i < name.length; i++) {
            if (in[at + i] != name[i]) {
                return false;
            }
        }
        at = end + 1;
        return true;
    }

    /** A string of printable ASCII without escapes. */
    private boolean string() {
        if (!skipThen('"')) {
            return false;
        }
        int start = at;
        while (at < in.length) {
            byte b = in[at];
            if (b == '"') {
                string = new String(in, start, at - start, StandardCharsets.ISO_8859_1);
                at++;
                return true;
            }
            if (b < 0x20 || b > 0x7E || b == '\\') {
                return false;
            }
            at++;
        }
        return false;
    }

    /** An unsigned integer of at most 18 digits without a leading zero, bare or quoted (both are canonical JSON for uint64). */
    private boolean uint() {
        skipWhitespace();
        boolean quoted = at < in.length && in[at] == '"';
        if (quoted) {
            at++;
        }
        int start = at;
        long value = 0;
        while (at < in.length && in[at] >= '0' && in[at] <= '9') {
            value = value * 10 + (in[at] - '0');
            at++;
            if (at - start > MAX_DIGITS) {
                return false;
            }
        }
        int digits = at - start;
        if (digits == 0 || (digits > 1 && in[start] == '0')) {
            return false;
        }
        if (quoted) {
            if (at >= in.length || in[at] != '"') {
                return false;
            }
            at++;
        } else if (at < in.length && (in[at] == '.' || in[at] == 'e' || in[at] == 'E')) {
            return false;
        }
        number = value;
        return true;
    }

    /** Skips whitespace; true (and past it) if the next byte is {@code c}. */
    private boolean skipThen(char c) {
        skipWhitespace();
        if (at < in.length && in[at] == c) {
            at++;
            return true;
        }
        return false;
    }

    private void skipWhitespace() {
        while (at < in.length) {
            byte b = in[at];
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return;
            }
            at++;
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
