package io.kickoff.lsm.schedule;

import io.kickoff.lsm.event.DeposedLeaderException;
import io.kickoff.lsm.event.EventStore;
import io.kickoff.lsm.event.LiveEvents;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires the timers of the state machine: PREFETCH at start − prefetch lead, PRE_SHOW at start −
 * pre-show lead, LIVE at start, ENDED at the expected end when auto-end is on. Each round asks
 * the store's timer index what is due and fires it in order, so timers that came due while the
 * leader or the store was down all fire at once on the next round, each with its own seq. Only
 * the leader fires; every firing is version-checked, so a deposed leader cannot fire twice, and carries the leader's
 * fencing token, so the store refuses a deposed leader's firings altogether (and it steps down).
 */
public final class StageScheduler {
    private static final Logger log = LoggerFactory.getLogger(StageScheduler.class);
    static final int BATCH = 100;

    private final EventStore store;
    private final LiveEvents events;
    private final Leadership leadership;
    private final Clock clock;
    private final long timeoutMillis;

    public StageScheduler(EventStore store, LiveEvents events, Leadership leadership, Clock clock, long timeoutMillis) {
        this.store = store;
        this.events = events;
        this.leadership = leadership;
        this.clock = clock;
        this.timeoutMillis = timeoutMillis;
    }

    /** One round: fires everything due now. Returns how many events had due timers. Never throws. */
    public int tick() {
        if (!leadership.isLeader()) {
            return 0;
        }
        Instant now = clock.instant();
        try {
            long token = leadership.fencingToken();
            List<String> due = store.due(now, BATCH).get(timeoutMillis, TimeUnit.MILLISECONDS);
            for (String id : due) {
                if (!leadership.isLeader()) {
                    break;
                }
                events.fireDue(id, now, token).get(timeoutMillis, TimeUnit.MILLISECONDS);
            }
            return due.size();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof DeposedLeaderException deposed) {
                leadership.stepDown("the store refused a timer firing: " + deposed.getMessage());
            } else {
                log.warn("scheduler round failed, retrying next round: {}", e.getCause().toString());
            }
            return 0;
        } catch (Exception e) {
            // Store or bus trouble: nothing was half-done (commits are atomic); the next round retries.
            log.warn("scheduler round failed, retrying next round: {}", e.toString());
            return 0;
        }
    }
}
