package io.kickoff.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.protocol.v1.PlaybackState;
import io.kickoff.protocol.v1.Viewing;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bound of the node's viewing queue and what it drops first. */
class ViewingQueueTest {

    static Viewing signal(String device, PlaybackState state) {
        return Viewing.newBuilder().setEventId("final").setDeviceId(device).setState(state).build();
    }

    static List<String> devices(List<Viewing> batch) {
        return batch.stream().map(v -> v.getDeviceId() + ":" + v.getState()).toList();
    }

    @Test
    void takesInArrivalOrderAcrossHeartbeatsAndChanges() {
        ViewingQueue queue = new ViewingQueue(10);
        queue.offer(signal("a", PlaybackState.PLAYING));
        queue.offer(signal("b", PlaybackState.STOPPED));
        queue.offer(signal("c", PlaybackState.PLAYING));
        queue.offer(signal("d", PlaybackState.PAUSED));
        assertThat(devices(queue.take(3))).containsExactly("a:PLAYING", "b:STOPPED", "c:PLAYING");
        assertThat(devices(queue.take(3))).containsExactly("d:PAUSED");
        assertThat(queue.take(3)).isEmpty();
    }

    @Test
    void whenFullTheOldestHeartbeatGoesFirstNeverAStateChange() {
        ViewingQueue queue = new ViewingQueue(3);
        queue.offer(signal("stop-1", PlaybackState.STOPPED));
        queue.offer(signal("old", PlaybackState.PLAYING));
        queue.offer(signal("newer", PlaybackState.PLAYING));
        assertThat(queue.offer(signal("stop-2", PlaybackState.STOPPED))).isEqualTo(3);
        assertThat(queue.dropped()).isEqualTo(1);
        assertThat(devices(queue.take(10))).containsExactly("stop-1:STOPPED", "newer:PLAYING", "stop-2:STOPPED");
    }

    @Test
    void aHeartbeatNeverPushesOutAStateChange() {
        ViewingQueue queue = new ViewingQueue(2);
        queue.offer(signal("stop-1", PlaybackState.STOPPED));
        queue.offer(signal("pause-1", PlaybackState.PAUSED));
        queue.offer(signal("late", PlaybackState.PLAYING));
        assertThat(queue.dropped()).isEqualTo(1);
        assertThat(devices(queue.take(10))).containsExactly("stop-1:STOPPED", "pause-1:PAUSED");
    }

    @Test
    void onlyStateChangesLeftTheOldestGoes() {
        ViewingQueue queue = new ViewingQueue(2);
        queue.offer(signal("stop-1", PlaybackState.STOPPED));
        queue.offer(signal("stop-2", PlaybackState.STOPPED));
        queue.offer(signal("stop-3", PlaybackState.STOPPED));
        assertThat(devices(queue.take(10))).containsExactly("stop-2:STOPPED", "stop-3:STOPPED");
        assertThat(queue.dropped()).isEqualTo(1);
    }

    @Test
    void memoryStaysBoundedUnderAFloodOfHeartbeats() {
        ViewingQueue queue = new ViewingQueue(100);
        queue.offer(signal("leaver", PlaybackState.STOPPED));
        for (int i = 0; i < 10_000; i++) {
            queue.offer(signal("d" + i, PlaybackState.PLAYING));
            assertThat(queue.size()).isLessThanOrEqualTo(100);
        }
        assertThat(queue.dropped()).isEqualTo(10_001 - 100);
        List<Viewing> kept = queue.take(1_000);
        // The STOPPED survived; the heartbeats kept are the newest.
        assertThat(devices(kept).get(0)).isEqualTo("leaver:STOPPED");
        assertThat(kept.get(1).getDeviceId()).isEqualTo("d" + (10_000 - 99));
        assertThat(kept.get(99).getDeviceId()).isEqualTo("d9999");
    }

    @Test
    void aBatchPutBackIsOlderThanWhatCameSinceAndStillBounded() {
        ViewingQueue queue = new ViewingQueue(3);
        queue.offer(signal("a", PlaybackState.PLAYING));
        queue.offer(signal("b", PlaybackState.STOPPED));
        List<Viewing> batch = queue.take(2);
        queue.offer(signal("c", PlaybackState.PLAYING));
        queue.offer(signal("d", PlaybackState.PLAYING));
        queue.putBack(batch);
        // Four for three places: the oldest heartbeat (a, put back) goes.
        assertThat(queue.dropped()).isEqualTo(1);
        assertThat(devices(queue.take(10))).containsExactly("b:STOPPED", "c:PLAYING", "d:PLAYING");
    }
}
