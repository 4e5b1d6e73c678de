package io.kickoff.launcher;

/** Where the platform's bus and stores live. */
public enum Mode {
    /** In-process bus and in-memory stores: one JVM, no dependencies. */
    memory
}
