package io.kickoff.audience;

import io.kickoff.protocol.v1.PlaybackState;
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
 * What one device last said about one event, kept in the {@code audience-devices} store until the device is gone.
 *
 * @param lastSeenMs  gateway time of the latest signal applied; older signals are out of order and ignored
 * @param firstPlayMs gateway time of the device's first PLAYING for the event while it has been present, 0 if none
 */
record DeviceView(PlaybackState state, String segment, String account, long lastSeenMs, long firstPlayMs) {

    boolean playing() {
        return state == PlaybackState.PLAYING;
    }

    static Serde<DeviceView> serde() {
        Serializer<DeviceView> serializer = (topic, view) -> {
            if (view == null) {
                return null;
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(48);
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeByte(view.state().getNumber());
                out.writeUTF(view.segment());
                out.writeUTF(view.account());
                out.writeLong(view.lastSeenMs());
                out.writeLong(view.firstPlayMs());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
        };
        Deserializer<DeviceView> deserializer = (topic, data) -> {
            if (data == null) {
                return null;
            }
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
                PlaybackState state = PlaybackState.forNumber(in.readByte());
                return new DeviceView(state == null ? PlaybackState.PLAYBACK_STATE_UNSPECIFIED : state, in.readUTF(),
                        in.readUTF(), in.readLong(), in.readLong());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        return Serdes.serdeFrom(serializer, deserializer);
    }
}
