package io.kickoff.prefetch.bundle;

import io.kickoff.prefetch.catalog.CatalogView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A {@link CatalogView} over plain maps, for tests. Mutable between materializations. */
public final class MapCatalog implements CatalogView {
    public long version = 1;
    public final Map<String, Title> titles = new LinkedHashMap<>();
    public final Map<String, Artwork> artworks = new LinkedHashMap<>();
    public final Map<String, LiveEventInfo> events = new LinkedHashMap<>();
    public final List<Row> rows = new ArrayList<>();
    public final Map<String, Segment> segments = new LinkedHashMap<>();

    /**
     * A small catalog: event "ev-1" (title "t-fight", maturity 16) in row "r-sports" with titles of
     * maturity 7, 18 and 12; segments "kids" (ceiling 7), "teen" (16) and "adult" (18).
     */
    public static MapCatalog sample() {
        MapCatalog c = new MapCatalog();
        c.title("t-fight", "Title Fight", 16);
        c.title("t-doc", "Fight Doc", 7);
        c.title("t-horror", "Horror Night", 18);
        c.title("t-recap", "Season Recap", 12);
        c.title("t-other", "Unrelated", 7);
        c.events.put("ev-1", new LiveEventInfo("ev-1", "t-fight", "Boxing", "a-t-fight"));
        c.rows.add(new Row("r-sports", "Fight Night", List.of("t-doc", "t-fight", "t-horror", "t-recap")));
        c.rows.add(new Row("r-misc", "More", List.of("t-other")));
        c.segment("kids", 7);
        c.segment("teen", 16);
        c.segment("adult", 18);
        return c;
    }

    public void title(String id, String name, int maturity) {
        titles.put(id, new Title(id, name, "About " + name, maturity, List.of("sport"), List.of(), "a-" + id));
        artworks.put("a-" + id, new Artwork("a-" + id, "boxart", "https://img.example/" + id + ".jpg", 342, 192));
    }

    public void segment(String id, int ceiling) {
        segments.put(id, new Segment(id, "US", "en", ceiling));
    }

    @Override
    public long version() {
        return version;
    }

    @Override
    public Optional<Title> title(String id) {
        return Optional.ofNullable(titles.get(id));
    }

    @Override
    public Optional<Artwork> artwork(String id) {
        return Optional.ofNullable(artworks.get(id));
    }

    @Override
    public Optional<LiveEventInfo> liveEvent(String eventId) {
        return Optional.ofNullable(events.get(eventId));
    }

    @Override
    public List<Row> rowsWithTitle(String titleId) {
        return rows.stream().filter(r -> r.titleIds().contains(titleId)).toList();
    }

    @Override
    public Optional<Segment> segment(String id) {
        return Optional.ofNullable(segments.get(id));
    }

    @Override
    public List<Segment> segments() {
        return List.copyOf(segments.values());
    }
}
