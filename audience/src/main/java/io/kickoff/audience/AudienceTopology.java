package io.kickoff.audience;

import io.kickoff.bus.Topic;
import io.kickoff.protocol.v1.StageUpdate;
import io.kickoff.protocol.v1.Viewing;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The audience topology, in two stages so that heartbeats never leave the partition they arrive on:
 * <pre>
 * kickoff.viewing (key device) ─▶ DeviceTracker ─┐ changes only
 * kickoff.stages  (key event)  ─▶ broadcasts ────┴▶ audience-changes (repartition, key event or account)
 *                                                   ─▶ EventAudience ─▶ kickoff.audience, kickoff.audience.series,
 *                                                                       kickoff.audience.accounts
 * </pre>
 * Every store is persistent and changelogged, so a task moved to another instance, or restarted, resumes its counts.
 */
public final class AudienceTopology {
    /** Name of the repartition topic between the two stages (prefixed with the application id by Kafka Streams). */
    public static final String CHANGES = "audience-changes";

    private AudienceTopology() {
    }

    public static Topology build(AudienceSettings settings) {
        StreamsBuilder builder = new StreamsBuilder();
        Serde<String> keys = Serdes.String();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DeviceTracker.DEVICES), keys,
                DeviceView.serde()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DeviceTracker.EXPIRY), keys,
                Serdes.String()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DeviceTracker.CLOCK), keys,
                Serdes.Long()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(EventAudience.COUNTS), keys,
                Serdes.Long()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(EventAudience.BROADCASTS), keys,
                BroadcastList.serde()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(EventAudience.FIRST_PLAYS),
                keys, Serdes.Long()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(EventAudience.ACCOUNTS), keys,
                Serdes.Long()));

        KStream<String, AudienceChange> deviceChanges = builder
                .stream(Topic.VIEWING.name(), Consumed.with(keys, ProtoSerde.of(Viewing.parser())).withName("viewing"))
                .process(() -> new DeviceTracker(settings), Named.as("devices"), DeviceTracker.DEVICES,
                        DeviceTracker.EXPIRY, DeviceTracker.CLOCK);
        KStream<String, AudienceChange> broadcasts = builder
                .stream(Topic.STAGES.name(), Consumed.with(keys, ProtoSerde.of(StageUpdate.parser())).withName("stages"))
                .flatMap((eventId, update) -> update == null || update.getEventId().isEmpty() || !update.hasIssuedAt()
                        ? List.of()
                        : List.of(broadcast(update)), Named.as("broadcasts"));

        deviceChanges.merge(broadcasts, Named.as("changes"))
                .repartition(Repartitioned.with(keys, AudienceChange.serde()).withName(CHANGES))
                .process(() -> new EventAudience(settings), Named.as("events"), EventAudience.COUNTS,
                        EventAudience.BROADCASTS, EventAudience.FIRST_PLAYS, EventAudience.ACCOUNTS)
                .split(Named.as("output-"))
                .branch((key, out) -> out.topic().equals(Topic.AUDIENCE), Branched.withConsumer(s -> sink(s, Topic.AUDIENCE), "snapshots"))
                .branch((key, out) -> out.topic().equals(Topic.AUDIENCE_SERIES), Branched.withConsumer(s -> sink(s, Topic.AUDIENCE_SERIES), "series"))
                .branch((key, out) -> out.topic().equals(Topic.AUDIENCE_ACCOUNTS), Branched.withConsumer(s -> sink(s, Topic.AUDIENCE_ACCOUNTS), "accounts"))
                .noDefaultBranch();
        return builder.build();
    }

    private static org.apache.kafka.streams.KeyValue<String, AudienceChange> broadcast(StageUpdate update) {
        AudienceChange.Broadcast b = new AudienceChange.Broadcast(update.getEventId(), update.getSeq(), update.getStage(),
                update.getIssuedAt().getSeconds() * 1000 + update.getIssuedAt().getNanos() / 1_000_000);
        return org.apache.kafka.streams.KeyValue.pair(b.routingKey(), b);
    }

    private static void sink(KStream<String, AudienceOutput> stream, Topic topic) {
        stream.mapValues(AudienceOutput::value, Named.as("to-" + topic.name()))
                .to(topic.name(), Produced.with(Serdes.String(), Serdes.ByteArray()).withName("sink-" + topic.name()));
    }
}
