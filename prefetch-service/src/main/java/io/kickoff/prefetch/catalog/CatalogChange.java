package io.kickoff.prefetch.catalog;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What one consumer refresh changed, per keyed type ({@link CatalogModel#KEYED_TYPES}), as record keys (ids).
 *
 * <p>A record is <em>modified</em> when its key existed before and after the refresh but its content changed. Hollow
 * records are immutable values, so a change in a referenced record propagates: a title whose artwork URL or cast
 * member's name changed is reported as a modified title too, and an event is reported when its artwork changed.
 *
 * @param fromVersion version before the refresh ({@code Long.MIN_VALUE} on the initial load)
 * @param toVersion   version after the refresh
 * @param fullReload  true when the refresh loaded a snapshot (initial load or double snapshot): then every key that
 *                    exists before and after is reported as modified, since ordinals cannot be compared
 * @param types       changes by type name; types without changes are absent
 */
public record CatalogChange(long fromVersion, long toVersion, boolean fullReload, Map<String, TypeChange> types) {

    public CatalogChange {
        types = Map.copyOf(types);
    }

    /** Keys added, removed and modified in one type. */
    public record TypeChange(Set<String> added, Set<String> removed, Set<String> modified) {
        public TypeChange {
            added = Set.copyOf(added);
            removed = Set.copyOf(removed);
            modified = Set.copyOf(modified);
        }

        /** Added, removed and modified keys together. */
        public Set<String> all() {
            Set<String> all = new HashSet<>(added);
            all.addAll(removed);
            all.addAll(modified);
            return all;
        }
    }

    private static final TypeChange NONE = new TypeChange(Set.of(), Set.of(), Set.of());

    /** The changes of one type (empty sets if none). */
    public TypeChange of(String type) {
        return types.getOrDefault(type, NONE);
    }

    /** All changed keys (added, removed, modified) of one type. */
    public Set<String> changedKeys(String type) {
        return of(type).all();
    }

    public boolean isEmpty() {
        return types.isEmpty();
    }
}
