package io.kickoff.lsm.event;

import java.util.List;

/** What a producer gives to create an event. */
public record NewEvent(String id, String title, String catalogTitleId, List<String> segments, Schedule schedule) {
}
