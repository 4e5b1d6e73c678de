package io.kickoff.simulator;

import java.util.Map;

/**
 * What the devices of one kind (a {@link Misbehaviour} label, or {@code well-behaved}) saw over a run.
 *
 * @param kind        {@link Misbehaviour#label()} or {@code well-behaved}
 * @param devices     devices of that kind in the fleet
 * @param closeCodes  WebSocket close code → connections that ended with it; 1006 when a session ended without a
 *                    close frame read (connection lost, or the device closed it itself, as a reconnect storm does)
 * @param httpStatuses upgrade refusals by HTTP status (e.g. 503, 429 with {@code Retry-After})
 * @param refusalsWithRetryAfter of those refusals, the ones that carried {@code Retry-After}
 * @param reconnects  connections a {@link Misbehaviour#RECONNECT_STORM} device dropped on purpose to reconnect at once
 * @param welcomes    sessions established (first connects and reconnects)
 */
public record DeviceOutcomes(String kind, int devices, Map<Integer, Long> closeCodes, Map<Integer, Long> httpStatuses,
                             long refusalsWithRetryAfter, long reconnects, long welcomes) {
    public DeviceOutcomes {
        closeCodes = Map.copyOf(closeCodes);
        httpStatuses = Map.copyOf(httpStatuses);
    }

    public long closes(int code) {
        return closeCodes.getOrDefault(code, 0L);
    }

    public long refusals(int status) {
        return httpStatuses.getOrDefault(status, 0L);
    }
}
