package io.kickoff.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.kickoff.protocol.v1.Ack;
import io.kickoff.protocol.v1.ClientFrame;
import io.kickoff.protocol.v1.Ping;
import io.kickoff.protocol.v1.Pong;
import io.kickoff.protocol.v1.ServerFrame;
import com.google.protobuf.Timestamp;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The shortcut for plain acks and pings must read exactly what protobuf's JsonFormat reads, and refuse the rest. */
class SmallJsonFramesTest {
    private static final JsonFormat.Parser JSON_FORMAT = JsonFormat.parser().ignoringUnknownFields();

    private static ClientFrame viaJsonFormat(String json) throws InvalidProtocolBufferException {
        ClientFrame.Builder b = ClientFrame.newBuilder();
        JSON_FORMAT.merge(json, b);
        return b.build();
    }

    private static ClientFrame shortcut(String json) {
        return SmallJsonFrames.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"ack\":{\"eventId\":\"final-2026\",\"seq\":\"7\"}}",          // what JsonFormat's printer writes
            "{\"ack\":{\"eventId\":\"final-2026\",\"seq\":7}}",
            "{\"ack\":{\"seq\":\"123456789012345678\",\"eventId\":\"e\"}}",
            "{\"ack\":{\"event_id\":\"e\",\"seq\":\"0\"}}",
            "{\"ack\":{\"eventId\":\"\"}}",
            "{\"ack\":{\"seq\":3}}",
            "{\"ack\":{}}",
            " \t\r\n{ \"ack\" : { \"eventId\" : \"a b/c:d\" , \"seq\" : \"12\" } } \n",
            "{\"ping\":{\"nonce\":\"42\"}}",
            "{\"ping\":{\"nonce\":42}}",
            "{\"ping\":{}}",
            "{ \"ping\" : { \"nonce\" : \"0\" } }",
    })
    void readsPlainAcksAndPingsAsJsonFormatDoes(String json) throws Exception {
        ClientFrame fast = shortcut(json);

        assertThat(fast).as("taken by the shortcut").isNotNull();
        assertThat(fast).isEqualTo(viaJsonFormat(json));
        assertThat(WireFormat.JSON.decodeClientFrame(json.getBytes(StandardCharsets.UTF_8))).isEqualTo(fast);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"hello\":{\"positions\":{\"e\":\"3\"}}}",                       // not an ack or ping
            "{\"ack\":{\"eventId\":\"e\",\"seq\":\"7\",\"extra\":1}}",          // unknown member (JsonFormat ignores it)
            "{\"ack\":{\"eventId\":\"caf\\u00e9\",\"seq\":\"7\"}}",            // escape
            "{\"ack\":{\"eventId\":\"café\",\"seq\":\"7\"}}",                   // non-ASCII
            "{\"ack\":{\"eventId\":\"e\",\"seq\":\"007\"}}",                    // leading zeros
            "{\"ack\":{\"eventId\":\"e\",\"seq\":\"18446744073709551615\"}}",   // the largest uint64: more than 18 digits
            "{\"ack\":{\"eventId\":\"e\",\"seq\":7.0}}",
            "{\"ack\":{\"eventId\":\"e\",\"seq\":7e0}}",
            "{\"ping\":{\"nonce\":\"1\"},\"other\":{}}",
            "{\"ack\":{\"eventId\":7,\"seq\":\"7\"}}",                 // a number where a string belongs
            "{\"ack\":{\"eventId\":\"e\",\"seq\":\"7\"}}}",           // trailing bytes
            "{}",
    })
    void leavesEverythingElseToJsonFormat(String json) {
        assertThat(shortcut(json)).isNull();
        assertThat(outcome(() -> WireFormat.JSON.decodeClientFrame(json.getBytes(StandardCharsets.UTF_8))))
                .isEqualTo(outcome(() -> viaJsonFormat(json)));
    }

    private interface Read {
        ClientFrame read() throws Exception;
    }

    /** The frame read, or "refused". */
    private static Object outcome(Read read) {
        try {
            return read.read();
        } catch (Exception e) {
            return "refused";
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "{",
            "{\"ack\":{\"eventId\":\"e\",\"seq\":\"7\"}",                       // unclosed
            "{\"ack\":{\"eventId\":\"e\",\"seq\":\"-1\"}}",
            "{\"ack\":{\"eventId\":\"e\",\"seq\":-1}}",
            "{\"ack\":{\"eventId\":\"e\",\"seq\":\"18446744073709551616\"}}",   // over uint64
            "{\"ack\":{\"eventId\":\"e\",\"seq\":\"x\"}}",
            "{\"ack\":{\"eventId\":\"e\",\"seq\":7.5}}",
            "{\"ack\":{\"eventId\":\"e\",\"event_id\":\"e\"}}",                 // the same field twice
            "{\"ack\":{\"eventId\":\"e\"},\"ping\":{}}",                         // two frames of the oneof
            "{\"ack\":{\"eventId\":\"e\",,\"seq\":\"7\"}}",
            "{\"ack\":[]}",
            "[]",
            "not json",
    })
    void refusesWhatJsonFormatRefuses(String json) {
        assertThat(shortcut(json)).isNull();
        assertThat(outcome(() -> viaJsonFormat(json))).isEqualTo("refused");
        assertThatThrownBy(() -> WireFormat.JSON.decodeClientFrame(json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedFrameException.class);
    }

    /**
     * Damaged acks and pings (a byte replaced, removed or repeated): whatever the shortcut takes,
     * JsonFormat must take too, and read the same message.
     */
    @Test
    void neverTakesWhatJsonFormatReadsDifferentlyOrRefuses() throws Exception {
        String[] seeds = {
                JsonFormat.printer().omittingInsignificantWhitespace().print(ClientFrame.newBuilder()
                        .setAck(Ack.newBuilder().setEventId("final-2026").setSeq(17)).build()),
                "{ \"ack\" : { \"seq\" : 905 , \"event_id\" : \"semi-1\" } }",
                JsonFormat.printer().omittingInsignificantWhitespace().print(ClientFrame.newBuilder()
                        .setPing(Ping.newBuilder().setNonce(1234567)).build()),
        };
        byte[] alphabet = " \t\n{}[]\":,.-+eE0179aksx\\/".getBytes(StandardCharsets.US_ASCII);
        Random random = new Random(9);
        int taken = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] seed = seeds[i % seeds.length].getBytes(StandardCharsets.US_ASCII);
            int pos = random.nextInt(seed.length);
            byte[] damaged = switch (random.nextInt(3)) {
                case 0 -> { byte[] b = seed.clone(); b[pos] = alphabet[random.nextInt(alphabet.length)]; yield b; }
                case 1 -> concat(seed, 0, pos, seed, pos + 1, seed.length);
                default -> concat(seed, 0, pos + 1, seed, pos, seed.length);
            };
            String json = new String(damaged, StandardCharsets.US_ASCII);
            ClientFrame fast = SmallJsonFrames.parse(damaged);
            if (fast != null) {
                taken++;
                assertThat(fast).as(json).isEqualTo(viaJsonFormat(json));
            }
        }
        assertThat(taken).as("damaged frames the shortcut still took").isGreaterThan(100);
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 42, Long.MAX_VALUE, -1 /* the largest uint64 */})
    void writesPongsAsJsonFormatsPrinterDoes(long nonce) throws Exception {
        JsonFormat.Printer printer = JsonFormat.printer().omittingInsignificantWhitespace();
        Timestamp[] times = {
                null,
                Timestamp.newBuilder().setSeconds(1_795_000_000L).build(),
                Timestamp.newBuilder().setSeconds(1_795_000_000L).setNanos(123_000_000).build(),
                Timestamp.newBuilder().setSeconds(1_795_000_000L).setNanos(123_456_000).build(),
                Timestamp.newBuilder().setSeconds(1_795_000_000L).setNanos(123_456_789).build(),
                Timestamp.newBuilder().setSeconds(1_795_000_000L).setNanos(100_000_000).build(),
                Timestamp.newBuilder().setSeconds(1_795_000_000L).setNanos(1).build(),
                Timestamp.newBuilder().setSeconds(-1).setNanos(999_999_999).build(),
                Timestamp.newBuilder().setSeconds(-62_135_596_800L).build(), // 0001-01-01T00:00:00Z
                Timestamp.newBuilder().setSeconds(253_402_300_799L).setNanos(999_999_999).build(), // 9999-12-31T23:59:59.999999999Z
                Timestamp.getDefaultInstance(),
        };
        for (Timestamp time : times) {
            Pong.Builder pong = Pong.newBuilder().setNonce(nonce);
            if (time != null) {
                pong.setServerTime(time);
            }
            ServerFrame frame = ServerFrame.newBuilder().setPong(pong).build();

            assertThat(SmallJsonFrames.pong(frame.getPong())).as("taken by the shortcut").isNotNull();
            assertThat(new String(WireFormat.JSON.encode(frame), StandardCharsets.UTF_8)).isEqualTo(printer.print(frame));
        }
    }

    @Test
    void leavesPongsWithAnInvalidTimeToThePrinter() {
        ServerFrame frame = ServerFrame.newBuilder().setPong(Pong.newBuilder().setNonce(1)
                .setServerTime(Timestamp.newBuilder().setSeconds(Long.MAX_VALUE))).build();

        assertThat(SmallJsonFrames.pong(frame.getPong())).isNull();
        assertThatThrownBy(() -> JsonFormat.printer().print(frame)).isInstanceOf(Exception.class);
        assertThatThrownBy(() -> WireFormat.JSON.encode(frame)).isInstanceOf(RuntimeException.class);
    }

    private static byte[] concat(byte[] a, int aFrom, int aTo, byte[] b, int bFrom, int bTo) {
        byte[] out = new byte[(aTo - aFrom) + (bTo - bFrom)];
        System.arraycopy(a, aFrom, out, 0, aTo - aFrom);
        System.arraycopy(b, bFrom, out, aTo - aFrom, bTo - bFrom);
        return out;
    }
}
