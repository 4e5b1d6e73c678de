package io.kickoff.simulator;

import io.kickoff.protocol.v1.Stage;

/** Where a device stands on one event: the last update it applied. */
record EventPosition(long seq, Stage stage) {
}
