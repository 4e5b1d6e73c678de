package io.kickoff.prefetch.catalog;

import com.netflix.hollow.api.consumer.HollowConsumer;
import com.netflix.hollow.api.objects.generic.GenericHollowObject;
import com.netflix.hollow.core.read.engine.HollowReadStateEngine;
import com.netflix.hollow.core.util.IntList;
import com.netflix.hollow.tools.diff.HollowDiff;
import com.netflix.hollow.tools.diff.HollowDiffNodeIdentifier;
import com.netflix.hollow.tools.diff.HollowTypeDiff;
import com.netflix.hollow.tools.diff.count.HollowFieldDiff;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What changed between two catalog versions, per keyed type: added, removed and modified records (by key) with the
 * paths of the fields that changed (e.g. {@code Title.synopsis}, {@code Title.artwork.url}). Built on Hollow's
 * {@link HollowDiff}, which matches records by primary key.
 */
public final class CatalogDiff {

    /** Changes of one type. Keys are sorted; {@code modified} maps each key to its sorted changed field paths. */
    public record TypeDiff(String type, List<String> added, List<String> removed, Map<String, List<String>> modified) {
        public boolean isEmpty() {
            return added.isEmpty() && removed.isEmpty() && modified.isEmpty();
        }
    }

    private final long from;
    private final long to;
    private final Map<String, TypeDiff> types;

    private CatalogDiff(long from, long to, Map<String, TypeDiff> types) {
        this.from = from;
        this.to = to;
        this.types = Collections.unmodifiableMap(types);
    }

    /**
     * Loads both versions from a blob store and diffs them (CLI {@code kickoff catalog diff}).
     *
     * @throws IllegalArgumentException if a version cannot be loaded from the store
     */
    public static CatalogDiff between(CatalogBlobStore store, long from, long to) {
        HollowConsumer.BlobRetriever retriever = store.retriever();
        return between(load(retriever, from), from, load(retriever, to), to);
    }

    /** Diffs two loaded states. */
    public static CatalogDiff between(HollowReadStateEngine fromState, long from, HollowReadStateEngine toState, long to) {
        HollowDiff diff = new HollowDiff(fromState, toState, false);
        for (String type : CatalogModel.KEYED_TYPES) {
            if (fromState.getTypeState(type) != null && toState.getTypeState(type) != null) {
                diff.addTypeDiff(type, CatalogModel.keyField(type));
            }
        }
        diff.calculateDiffs();
        Map<String, TypeDiff> out = new LinkedHashMap<>();
        for (String type : CatalogModel.KEYED_TYPES) {
            HollowTypeDiff td = diff.getTypeDiff(type);
            if (td == null) {
                continue;
            }
            String field = CatalogModel.keyField(type);
            List<String> added = keys(toState, type, field, td.getMatcher().getExtraInTo());
            List<String> removed = keys(fromState, type, field, td.getMatcher().getExtraInFrom());
            Map<String, Set<String>> modified = new TreeMap<>();
            for (HollowFieldDiff fd : td.getFieldDiffs()) {
                String path = fieldPath(type, fd.getFieldIdentifier());
                for (int i = 0; i < fd.getNumDiffs(); i++) {
                    String key = new GenericHollowObject(fromState, type, fd.getFromOrdinal(i)).getString(field);
                    modified.computeIfAbsent(key, k -> new TreeSet<>()).add(path);
                }
            }
            Map<String, List<String>> mod = new LinkedHashMap<>();
            modified.forEach((k, v) -> mod.put(k, List.copyOf(v)));
            out.put(type, new TypeDiff(type, added, removed, Collections.unmodifiableMap(mod)));
        }
        return new CatalogDiff(from, to, out);
    }

    /** {@code Title.artwork.url}: the type, then the fields from the top-level record down to the changed one. */
    private static String fieldPath(String type, HollowDiffNodeIdentifier id) {
        StringBuilder sb = new StringBuilder(type);
        List<HollowDiffNodeIdentifier> parents = id.getParents();
        for (int i = 1; i < parents.size(); i++) {
            sb.append('.').append(parents.get(i).getViaFieldName());
        }
        return sb.append('.').append(id.getViaFieldName()).toString();
    }

    private static HollowReadStateEngine load(HollowConsumer.BlobRetriever retriever, long version) {
        HollowConsumer consumer = HollowConsumer.withBlobRetriever(retriever).build();
        try {
            consumer.triggerRefreshTo(version);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot load catalog version " + version + ": " + e.getMessage(), e);
        }
        if (consumer.getCurrentVersionId() != version) {
            throw new IllegalArgumentException("catalog version " + version + " is not in the blob store (nearest: "
                    + consumer.getCurrentVersionId() + ")");
        }
        return consumer.getStateEngine();
    }

    private static List<String> keys(HollowReadStateEngine state, String type, String field, IntList ordinals) {
        List<String> keys = new ArrayList<>(ordinals.size());
        for (int i = 0; i < ordinals.size(); i++) {
            keys.add(new GenericHollowObject(state, type, ordinals.get(i)).getString(field));
        }
        Collections.sort(keys);
        return List.copyOf(keys);
    }

    public long from() {
        return from;
    }

    public long to() {
        return to;
    }

    /** Per type, in {@link CatalogModel#KEYED_TYPES} order (types present in both versions). */
    public Map<String, TypeDiff> types() {
        return types;
    }

    public TypeDiff type(String type) {
        TypeDiff d = types.get(type);
        return d != null ? d : new TypeDiff(type, List.of(), List.of(), Map.of());
    }

    public boolean isEmpty() {
        return types.values().stream().allMatch(TypeDiff::isEmpty);
    }

    /**
     * Human-readable report, e.g.
     * <pre>
     * catalog diff 20260101000000001 -> 20260101000000002
     * Title: 1 added, 0 removed, 2 modified
     *   + t9
     *   ~ t1: Title.synopsis
     * </pre>
     * At most {@code limit} records are listed per type and kind.
     */
    public String toText(int limit) {
        StringBuilder sb = new StringBuilder();
        sb.append("catalog diff ").append(from).append(" -> ").append(to).append('\n');
        if (isEmpty()) {
            return sb.append("no changes\n").toString();
        }
        for (TypeDiff d : types.values()) {
            if (d.isEmpty()) {
                continue;
            }
            sb.append(d.type()).append(": ").append(d.added().size()).append(" added, ").append(d.removed().size())
                    .append(" removed, ").append(d.modified().size()).append(" modified\n");
            list(sb, "+ ", d.added(), limit);
            list(sb, "- ", d.removed(), limit);
            int n = 0;
            for (var e : d.modified().entrySet()) {
                if (n++ == limit) {
                    sb.append("  ~ ... ").append(d.modified().size() - limit).append(" more\n");
                    break;
                }
                sb.append("  ~ ").append(e.getKey()).append(": ").append(String.join(", ", e.getValue())).append('\n');
            }
        }
        return sb.toString();
    }

    /** {@link #toText(int)} listing up to 50 records per type and kind. */
    public String toText() {
        return toText(50);
    }

    private static void list(StringBuilder sb, String prefix, List<String> keys, int limit) {
        for (int i = 0; i < keys.size(); i++) {
            if (i == limit) {
                sb.append("  ").append(prefix).append("... ").append(keys.size() - limit).append(" more\n");
                return;
            }
            sb.append("  ").append(prefix).append(keys.get(i)).append('\n');
        }
    }

    @Override
    public String toString() {
        return toText();
    }
}
