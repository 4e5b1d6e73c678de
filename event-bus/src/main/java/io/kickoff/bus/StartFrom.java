package io.kickoff.bus;

/** Where a new subscription starts reading. */
public enum StartFrom {
    /** Everything the topic still holds (on a compacted topic: at least the latest record per key), then live records. */
    BEGINNING,
    /** Only records published after {@link EventBus#subscribe} returns. */
    NOW
}
