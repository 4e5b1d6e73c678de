package io.kickoff.gateway;

/** Where one stage update's delivery figures are exposed as meters (see {@link GatewayMetrics#delivery}). */
interface DeliveryMeters {
    /** Exposed nowhere. */
    DeliveryMeters NONE = new DeliveryMeters() {
        @Override
        public void ackLatency(long micros) {
        }

        @Override
        public void remove() {
        }
    };

    /** A device acked the update {@code micros} after its issue. */
    void ackLatency(long micros);

    /** The update's series leave the exposition (it is no longer kept, or too old). */
    void remove();
}
