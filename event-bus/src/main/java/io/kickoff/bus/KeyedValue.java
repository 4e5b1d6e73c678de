package io.kickoff.bus;

import java.util.Objects;

/** One record to publish: its key (records of one key keep their order) and its bytes. */
public record KeyedValue(String key, byte[] value) {
    public KeyedValue {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }
}
