package io.kickoff.audience;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** Serdes of the bus's protobuf records. An unreadable record reads as null, which the processors skip. */
final class ProtoSerde {
    private ProtoSerde() {
    }

    static <T extends MessageLite> Serde<T> of(Parser<T> parser) {
        return Serdes.serdeFrom((topic, message) -> message == null ? null : message.toByteArray(), (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return parser.parseFrom(bytes);
            } catch (InvalidProtocolBufferException e) {
                return null;
            }
        });
    }
}
