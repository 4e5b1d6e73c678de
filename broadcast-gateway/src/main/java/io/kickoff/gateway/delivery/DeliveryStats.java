package io.kickoff.gateway.delivery;

import io.kickoff.protocol.v1.StageUpdate;

/**
 * Per (event, seq) delivery figures of this node: devices targeted, frames written, acks and
 * the issued_at → ack latency. Called on event loops, so every method is cheap and lock-free.
 */
public final class DeliveryStats {

    /** {@code devices} of one event loop were in the update's audience when it was fanned out (or greeted later and needed it). */
    public void targeted(StageUpdate update, int devices) {
    }

    /** {@code frames} of this update were written (fan-out, welcome snapshot or redelivery). */
    public void written(StageUpdate update, int frames) {
    }

    /** A device acked this update; {@code nowMicros} is wall-clock time of receipt. */
    public void acked(StageUpdate update, long nowMicros) {
    }
}
