package io.kickoff.lsm.api;

import java.time.Instant;
import java.util.List;

record CreateEventRequest(String id, String title, Instant scheduledStart, List<String> segments) {
}
