package io.kickoff.audience;

import io.kickoff.protocol.v1.Stage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * What the device stage tells the event stage, through the {@code audience-changes} repartition topic: only
 * changes travel, never heartbeats. Keyed by {@link #routingKey()}: the event, or the account.
 */
sealed interface AudienceChange {

    String routingKey();

    /** A device started (+1) or stopped (-1) counting as a viewer of the event in the segment. */
    record ViewerDelta(String eventId, String segment, int delta) implements AudienceChange {
        public String routingKey() { return eventKey(eventId); }
    }

    /** A device's first PLAYING for the event, at gateway time {@code atMs}. */
    record FirstPlay(String eventId, long atMs) implements AudienceChange {
        public String routingKey() { return eventKey(eventId); }
    }

    /** A stage update of the event was issued. */
    record Broadcast(String eventId, long seq, Stage stage, long issuedAtMs) implements AudienceChange {
        public String routingKey() { return eventKey(eventId); }
    }

    /** One more (+1) or one fewer (-1) stream playing for the account. */
    record StreamDelta(String account, int delta) implements AudienceChange {
        public String routingKey() { return "a:" + account; }
    }

    static String eventKey(String eventId) {
        return "e:" + eventId;
    }

    private static Stage stage(int number) {
        Stage stage = Stage.forNumber(number);
        return stage == null ? Stage.STAGE_UNSPECIFIED : stage;
    }

    static Serde<AudienceChange> serde() {
        return Serdes.serdeFrom(SERIALIZER, DESERIALIZER);
    }

    Serializer<AudienceChange> SERIALIZER = (topic, change) -> {
        if (change == null) {
            return null;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            if (change instanceof ViewerDelta d) {
                out.writeByte(1); out.writeUTF(d.eventId()); out.writeUTF(d.segment()); out.writeInt(d.delta());
            } else if (change instanceof FirstPlay p) {
                out.writeByte(2); out.writeUTF(p.eventId()); out.writeLong(p.atMs());
            } else if (change instanceof Broadcast b) {
                out.writeByte(3); out.writeUTF(b.eventId()); out.writeLong(b.seq()); out.writeInt(b.stage().getNumber());
                out.writeLong(b.issuedAtMs());
            } else if (change instanceof StreamDelta s) {
                out.writeByte(4); out.writeUTF(s.account()); out.writeInt(s.delta());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    };

    Deserializer<AudienceChange> DESERIALIZER = (topic, data) -> {
        if (data == null) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int kind = in.readByte();
            return switch (kind) {
                case 1 -> new ViewerDelta(in.readUTF(), in.readUTF(), in.readInt());
                case 2 -> new FirstPlay(in.readUTF(), in.readLong());
                case 3 -> new Broadcast(in.readUTF(), in.readLong(), stage(in.readInt()), in.readLong());
                case 4 -> new StreamDelta(in.readUTF(), in.readInt());
                default -> throw new IllegalArgumentException("unknown audience change kind " + kind);
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    };
}
