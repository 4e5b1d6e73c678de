package io.kickoff.protocol;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.kickoff.protocol.v1.ClientFrame;
import io.kickoff.protocol.v1.ServerFrame;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The two encodings of the device protocol, one per WebSocket sub-protocol. Both carry the
 * same messages; JSON is protobuf's canonical JSON mapping, so any protobuf runtime can read it.
 */
public enum WireFormat {
    /** Binary protobuf in binary WebSocket frames. */
    PROTOBUF("kickoff.v1.proto", false) {
        @Override
        public byte[] encode(Message message) {
            return message.toByteArray();
        }

        @Override
        <B extends Message.Builder> B decodeInto(byte[] bytes, B builder) throws MalformedFrameException {
            try {
                builder.mergeFrom(bytes);
                return builder;
            } catch (InvalidProtocolBufferException e) {
                throw new MalformedFrameException("not a valid protobuf message: " + e.getMessage(), e);
            }
        }
    },
    /** Protobuf canonical JSON in text WebSocket frames (browsers, load tools, debugging). */
    JSON("kickoff.v1.json", true) {
        // Unknown fields are ignored so that newer servers can add fields without breaking older clients.
        private final JsonFormat.Parser parser = JsonFormat.parser().ignoringUnknownFields();
        private final JsonFormat.Printer printer = JsonFormat.printer().omittingInsignificantWhitespace();

        @Override
        public byte[] encode(Message message) {
            // A pong answers every device's ping: written directly, it skips the printer's reflection.
            if (message instanceof ServerFrame frame && frame.getFrameCase() == ServerFrame.FrameCase.PONG) {
                byte[] pong = SmallJsonFrames.pong(frame.getPong());
                if (pong != null) {
                    return pong;
                }
            }
            try {
                return printer.print(message).getBytes(StandardCharsets.UTF_8);
            } catch (InvalidProtocolBufferException e) {
                // Only Any with an unknown type can fail, and the contract has no Any.
                throw new IllegalStateException("cannot print " + message.getDescriptorForType().getFullName(), e);
            }
        }

        @Override
        <B extends Message.Builder> B decodeInto(byte[] bytes, B builder) throws MalformedFrameException {
            try {
                parser.merge(new String(bytes, StandardCharsets.UTF_8), builder);
                return builder;
            } catch (InvalidProtocolBufferException | RuntimeException e) {
                throw new MalformedFrameException("not a valid JSON frame: " + e.getMessage(), e);
            }
        }

        @Override
        public ClientFrame decodeClientFrame(byte[] bytes) throws MalformedFrameException {
            // Acks and pings, one per update and heartbeat of every device, skip JsonFormat's reflection
            // when they have their plain shape; everything else (hello, or anything unusual) goes through it.
            ClientFrame small = SmallJsonFrames.parse(bytes);
            return small != null ? small : super.decodeClientFrame(bytes);
        }
    };

    private final String subprotocol;
    private final boolean text;

    WireFormat(String subprotocol, boolean text) {
        this.subprotocol = subprotocol;
        this.text = text;
    }

    /** The {@code Sec-WebSocket-Protocol} token that selects this format. */
    public String subprotocol() {
        return subprotocol;
    }

    /** True if frames of this format travel as WebSocket text frames. */
    public boolean isText() {
        return text;
    }

    public abstract byte[] encode(Message message);

    abstract <B extends Message.Builder> B decodeInto(byte[] bytes, B builder) throws MalformedFrameException;

    public ClientFrame decodeClientFrame(byte[] bytes) throws MalformedFrameException {
        return decodeInto(bytes, ClientFrame.newBuilder()).build();
    }

    public ServerFrame decodeServerFrame(byte[] bytes) throws MalformedFrameException {
        return decodeInto(bytes, ServerFrame.newBuilder()).build();
    }

    /** The format named by a sub-protocol token, if it is one of ours. */
    public static Optional<WireFormat> forSubprotocol(String token) {
        for (WireFormat format : values()) {
            if (format.subprotocol.equals(token)) {
                return Optional.of(format);
            }
        }
        return Optional.empty();
    }

    /** Comma-separated list of every supported sub-protocol, for the WebSocket handshaker. */
    public static String allSubprotocols() {
        StringBuilder sb = new StringBuilder();
        for (WireFormat format : values()) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(format.subprotocol);
        }
        return sb.toString();
    }
}
