package io.kickoff.lsm.event;

import java.util.List;

/** One page of a listing; {@code nextCursor} is empty on the last page. */
public record Page<T>(List<T> items, String nextCursor) {
}
