package io.kickoff.bus;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A bus topic. Compacted topics keep only the latest record per key, so a reader from the
 * beginning learns the current state of every key rather than its whole history.
 */
public record Topic(String name, boolean compacted) {
    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]{1,200}");

    /** Stage updates, key = event id: the current stage of every event. */
    public static final Topic STAGES = new Topic("kickoff.stages", true);
    /** Bundle announcements with the bundle bytes, key = event id + ":" + segment. */
    public static final Topic BUNDLES = new Topic("kickoff.bundles", true);
    /** Per-node delivery statistics and presence. */
    public static final Topic DELIVERY = new Topic("kickoff.delivery", false);

    public Topic {
        Objects.requireNonNull(name, "name");
        if (!LEGAL.matcher(name).matches()) {
            throw new IllegalArgumentException("illegal topic name '" + name + "': use letters, digits, '.', '_' or '-'");
        }
    }
}
