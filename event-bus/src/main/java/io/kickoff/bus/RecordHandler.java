package io.kickoff.bus;

/**
 * Receives the records of one subscription, one at a time and in order per key, on a thread
 * owned by the bus. It should hand heavy work off rather than block: while it runs, the
 * subscription reads nothing else.
 */
@FunctionalInterface
public interface RecordHandler {
    void onRecord(BusRecord record);
}
