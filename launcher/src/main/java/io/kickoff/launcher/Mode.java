package io.kickoff.launcher;

/** Where the platform's bus and stores live. */
public enum Mode {
    /** In-process bus and in-memory stores: one JVM, no dependencies. */
    memory,
    /** A real single-node Kafka broker and a real Redis server, started (and stopped) by the launcher. */
    embedded,
    /** Kafka (and later Redis) run elsewhere: {@code --kafka host:port[,...]}, {@code --redis redis://...}. */
    external
}
