package io.kickoff.audience;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/** The latest stage updates of one event, by seq, oldest first; one entry per seq however often it is read. */
record BroadcastList(List<AudienceChange.Broadcast> broadcasts) {
    static final BroadcastList EMPTY = new BroadcastList(List.of());

    BroadcastList {
        broadcasts = List.copyOf(broadcasts);
    }

    BroadcastList with(AudienceChange.Broadcast broadcast, int kept) {
        List<AudienceChange.Broadcast> next = new ArrayList<>(broadcasts);
        next.removeIf(b -> b.seq() == broadcast.seq());
        next.add(broadcast);
        next.sort(Comparator.comparingLong(AudienceChange.Broadcast::seq));
        return new BroadcastList(next.subList(Math.max(0, next.size() - kept), next.size()));
    }

    static Serde<BroadcastList> serde() {
        Serializer<BroadcastList> serializer = (topic, list) -> {
            if (list == null) {
                return null;
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeInt(list.broadcasts().size());
                for (AudienceChange.Broadcast b : list.broadcasts()) {
                    out.writeUTF(b.eventId());
                    out.writeInt(b.stage().getNumber());
                    out.writeLong(b.seq());
                    out.writeLong(b.issuedAtMs());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
        };
        Deserializer<BroadcastList> deserializer = (topic, data) -> {
            if (data == null) {
                return null;
            }
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
                int size = in.readInt();
                List<AudienceChange.Broadcast> list = new ArrayList<>(size);
                for (int i = 0; i < size; i++) {
                    String eventId = in.readUTF();
                    io.kickoff.protocol.v1.Stage stage = io.kickoff.protocol.v1.Stage.forNumber(in.readInt());
                    list.add(new AudienceChange.Broadcast(eventId, in.readLong(),
                            stage == null ? io.kickoff.protocol.v1.Stage.STAGE_UNSPECIFIED : stage, in.readLong()));
                }
                return new BroadcastList(list);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        return Serdes.serdeFrom(serializer, deserializer);
    }
}
