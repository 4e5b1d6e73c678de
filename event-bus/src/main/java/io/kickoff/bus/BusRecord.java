package io.kickoff.bus;

/**
 * One record as a subscriber sees it. {@code offset} grows per topic partition; it is for
 * logs and diagnostics, not for ordering across keys.
 */
public record BusRecord(Topic topic, String key, byte[] value, long offset) {
}
