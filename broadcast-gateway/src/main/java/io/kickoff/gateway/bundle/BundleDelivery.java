package io.kickoff.gateway.bundle;

import io.kickoff.bus.BusRecord;
import io.kickoff.gateway.session.DeviceSession;
import io.kickoff.protocol.v1.StageUpdate;
import java.util.Map;

/**
 * Delivers bundles from the bundles topic to connected devices of the bundle's segment, paced
 * over a window instead of one burst, and to devices greeted later.
 */
public final class BundleDelivery {

    /** A record from {@code kickoff.bundles}; called on the bus thread, must not block. */
    public void onBundleRecord(BusRecord record) {
    }

    /** The event's stage changed; bundles of events that ended or were cancelled are dropped. */
    public void stageChanged(StageUpdate update) {
    }

    /** The device was just greeted (on its event loop); {@code held}: event id → bundle version it has. */
    public void welcomed(DeviceSession session, Map<String, String> held) {
    }
}
