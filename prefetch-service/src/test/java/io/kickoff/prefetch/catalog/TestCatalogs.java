package io.kickoff.prefetch.catalog;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** Small hand-made catalogs for tests. */
final class TestCatalogs {

    private TestCatalogs() {
    }

    static CatalogInput small() {
        List<CatalogInput.Person> people = List.of(new CatalogInput.Person("p1", "Ann"),
                new CatalogInput.Person("p2", "Bob"), new CatalogInput.Person("p3", "Cy"));
        List<CatalogInput.Artwork> artwork = List.of(
                new CatalogInput.Artwork("a1", "BOXART", "https://img/a1.jpg", 342, 192),
                new CatalogInput.Artwork("a2", "BILLBOARD", "https://img/a2.jpg", 1280, 720));
        List<CatalogInput.Title> titles = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            titles.add(new CatalogInput.Title("t" + i, "Title " + i, "Synopsis " + i, i % 2 == 0 ? 13 : 18,
                    List.of("Sports"), List.of("p1", "p2", "p" + (1 + i % 3)), i <= 5 ? "a1" : "a2"));
        }
        return new CatalogInput(people, artwork, titles,
                List.of(new CatalogInput.LiveEvent("ev1", "t1", "UFC", "a2")),
                List.of(new CatalogInput.Row("r1", "Live now", List.of("t1")),
                        new CatalogInput.Row("r2", "Fight night", List.of("t1", "t2", "t3")),
                        new CatalogInput.Row("r3", "More", List.of("t4"))),
                List.of(new CatalogInput.Segment("s1", "US", "en", 18), new CatalogInput.Segment("s2", "BR", "pt", 13)));
    }

    static CatalogInput withTitles(CatalogInput in, UnaryOperator<List<CatalogInput.Title>> f) {
        return new CatalogInput(in.people(), in.artwork(), f.apply(new ArrayList<>(in.titles())), in.liveEvents(),
                in.rows(), in.segments());
    }

    static CatalogInput withArtwork(CatalogInput in, UnaryOperator<List<CatalogInput.Artwork>> f) {
        return new CatalogInput(in.people(), f.apply(new ArrayList<>(in.artwork())), in.titles(), in.liveEvents(),
                in.rows(), in.segments());
    }

    static CatalogInput.Title title(CatalogInput in, String id) {
        return in.titles().stream().filter(t -> t.id().equals(id)).findFirst().orElseThrow();
    }

    static CatalogInput.Title withSynopsis(CatalogInput.Title t, String synopsis) {
        return new CatalogInput.Title(t.id(), t.name(), synopsis, t.maturity(), t.genres(), t.cast(), t.artworkId());
    }

    /** v2 of {@link #small()}: t3's synopsis changed, t10 removed, t11 added. */
    static CatalogInput smallV2() {
        CatalogInput v1 = small();
        return withTitles(v1, titles -> {
            titles.replaceAll(t -> t.id().equals("t3") ? withSynopsis(t, "A new synopsis") : t);
            titles.removeIf(t -> t.id().equals("t10"));
            titles.add(new CatalogInput.Title("t11", "Title 11", "Synopsis 11", 13, List.of("Drama"), List.of("p3"), "a1"));
            return titles;
        });
    }
}
