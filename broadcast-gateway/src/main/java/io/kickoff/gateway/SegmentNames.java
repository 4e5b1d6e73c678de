package io.kickoff.gateway;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One string per audience segment name for all the sessions of a node: devices of a segment would
 * otherwise each hold their own copy, parsed from their token. Segments are a small set chosen by
 * the token issuer; past {@link #MAX_NAMES} distinct names a name is kept as given, so a stream of
 * unusual segments cannot grow this without bound.
 */
final class SegmentNames {
    static final int MAX_NAMES = 4096;

    private final Map<String, String> names = new ConcurrentHashMap<>();

    /** The node's copy of {@code segment}. */
    public String canonical(String segment) {
        String known = names.get(segment);
        if (known != null) {
            return known;
        }
        if (names.size() >= MAX_NAMES) {
            return segment;
        }
        String raced = names.putIfAbsent(segment, segment);
        return raced == null ? segment : raced;
    }
}
