package io.kickoff.prefetch.catalog;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One full catalog as a producer cycle receives it: the JSON catalog file maps onto this record one to one (see
 * {@code docs/catalog.md}). References are by id: titles name their cast ({@link Person} ids) and their artwork, live
 * events name their title and artwork, rows name their titles.
 */
public record CatalogInput(List<Person> people, List<Artwork> artwork, List<Title> titles, List<LiveEvent> liveEvents,
                           List<Row> rows, List<Segment> segments) {

    public CatalogInput {
        people = people == null ? List.of() : people;
        artwork = artwork == null ? List.of() : artwork;
        titles = titles == null ? List.of() : titles;
        liveEvents = liveEvents == null ? List.of() : liveEvents;
        rows = rows == null ? List.of() : rows;
        segments = segments == null ? List.of() : segments;
    }

    public record Person(String id, String name) {
    }

    public record Artwork(String id, String kind, String url, Integer width, Integer height) {
    }

    public record Title(String id, String name, String synopsis, Integer maturity, List<String> genres, List<String> cast,
                        String artworkId) {
    }

    public record LiveEvent(String eventId, String titleId, String league, String artworkId) {
    }

    public record Row(String id, String name, List<String> titleIds) {
    }

    public record Segment(String id, String country, String language, Integer maturityCeiling) {
    }

    /**
     * Checks required fields, duplicate ids and dangling references, and builds the Hollow records (shared
     * {@code Person} and {@code Artwork} objects). Top-level records, referenced types first.
     *
     * @throws CatalogFormatException naming the first offending entry, e.g. {@code titles[3].cast[1]: unknown person 'p9'}
     */
    List<Object> toHollowRecords() {
        List<Object> out = new ArrayList<>(people.size() + artwork.size() + titles.size() + liveEvents.size()
                + rows.size() + segments.size());
        Map<String, CatalogModel.Person> persons = new HashMap<>();
        for (int i = 0; i < people.size(); i++) {
            Person p = entry(people, "people", i);
            String at = "people[" + i + "]";
            CatalogModel.Person model = new CatalogModel.Person(required(p.id(), at + ".id"), required(p.name(), at + ".name"));
            if (persons.put(p.id(), model) != null) {
                throw new CatalogFormatException(at + ".id: duplicate id '" + p.id() + "'");
            }
            out.add(model);
        }
        Map<String, CatalogModel.Artwork> arts = new HashMap<>();
        for (int i = 0; i < artwork.size(); i++) {
            Artwork a = entry(artwork, "artwork", i);
            String at = "artwork[" + i + "]";
            CatalogModel.Artwork model = new CatalogModel.Artwork(required(a.id(), at + ".id"),
                    required(a.kind(), at + ".kind"), required(a.url(), at + ".url"), orZero(a.width()), orZero(a.height()));
            if (arts.put(a.id(), model) != null) {
                throw new CatalogFormatException(at + ".id: duplicate id '" + a.id() + "'");
            }
            out.add(model);
        }
        Set<String> titleIds = new HashSet<>();
        for (int i = 0; i < titles.size(); i++) {
            Title t = entry(titles, "titles", i);
            String at = "titles[" + i + "]";
            required(t.id(), at + ".id");
            if (!titleIds.add(t.id())) {
                throw new CatalogFormatException(at + ".id: duplicate id '" + t.id() + "'");
            }
            List<String> genres = t.genres() == null ? List.of() : t.genres();
            for (int g = 0; g < genres.size(); g++) {
                required(genres.get(g), at + ".genres[" + g + "]");
            }
            List<String> castIds = t.cast() == null ? List.of() : t.cast();
            List<CatalogModel.Person> cast = new ArrayList<>(castIds.size());
            for (int c = 0; c < castIds.size(); c++) {
                cast.add(resolve(persons, castIds.get(c), at + ".cast[" + c + "]", "person"));
            }
            CatalogModel.Artwork art = t.artworkId() == null ? null
                    : resolve(arts, t.artworkId(), at + ".artworkId", "artwork");
            out.add(new CatalogModel.Title(t.id(), required(t.name(), at + ".name"), t.synopsis(),
                    required(t.maturity(), at + ".maturity"),
                    List.copyOf(genres), cast, art));
        }
        Set<String> eventIds = new HashSet<>();
        for (int i = 0; i < liveEvents.size(); i++) {
            LiveEvent e = entry(liveEvents, "liveEvents", i);
            String at = "liveEvents[" + i + "]";
            required(e.eventId(), at + ".eventId");
            if (!eventIds.add(e.eventId())) {
                throw new CatalogFormatException(at + ".eventId: duplicate id '" + e.eventId() + "'");
            }
            if (!titleIds.contains(required(e.titleId(), at + ".titleId"))) {
                throw new CatalogFormatException(at + ".titleId: unknown title '" + e.titleId() + "'");
            }
            CatalogModel.Artwork art = e.artworkId() == null ? null
                    : resolve(arts, e.artworkId(), at + ".artworkId", "artwork");
            out.add(new CatalogModel.LiveEvent(e.eventId(), e.titleId(), e.league(), art));
        }
        Set<String> rowIds = new HashSet<>();
        for (int i = 0; i < rows.size(); i++) {
            Row r = entry(rows, "rows", i);
            String at = "rows[" + i + "]";
            if (!rowIds.add(required(r.id(), at + ".id"))) {
                throw new CatalogFormatException(at + ".id: duplicate id '" + r.id() + "'");
            }
            List<String> ids = r.titleIds() == null ? List.of() : r.titleIds();
            for (int k = 0; k < ids.size(); k++) {
                if (!titleIds.contains(ids.get(k))) {
                    throw new CatalogFormatException(at + ".titleIds[" + k + "]: unknown title '" + ids.get(k) + "'");
                }
            }
            out.add(new CatalogModel.Row(r.id(), required(r.name(), at + ".name"), i, List.copyOf(ids)));
        }
        Set<String> segmentIds = new HashSet<>();
        for (int i = 0; i < segments.size(); i++) {
            Segment s = entry(segments, "segments", i);
            String at = "segments[" + i + "]";
            if (!segmentIds.add(required(s.id(), at + ".id"))) {
                throw new CatalogFormatException(at + ".id: duplicate id '" + s.id() + "'");
            }
            out.add(new CatalogModel.Segment(s.id(), required(s.country(), at + ".country"),
                    required(s.language(), at + ".language"), required(s.maturityCeiling(), at + ".maturityCeiling")));
        }
        return out;
    }

    private static <T> T entry(List<T> list, String name, int i) {
        T t = list.get(i);
        if (t == null) {
            throw new CatalogFormatException(name + "[" + i + "]: null entry");
        }
        return t;
    }

    private static String required(String value, String at) {
        if (value == null || value.isBlank()) {
            throw new CatalogFormatException(at + ": required");
        }
        return value;
    }

    private static int required(Integer value, String at) {
        if (value == null) {
            throw new CatalogFormatException(at + ": required");
        }
        return value;
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }

    private static <T> T resolve(Map<String, T> byId, String id, String at, String what) {
        T t = byId.get(Objects.requireNonNullElse(id, ""));
        if (t == null) {
            throw new CatalogFormatException(at + ": unknown " + what + " '" + id + "'");
        }
        return t;
    }
}
