package io.kickoff.prefetch.catalog;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A deterministic synthetic catalog for tests and measurements. Cast and artwork are drawn from small shared pools
 * (one person per 50 titles, one artwork per 100 titles) so Hollow's de-duplication shows. Revision {@code r > 0}
 * changes the synopsis of 1 % of the titles (those whose index is {@code r mod 100} modulo 100), so consecutive
 * revisions differ by 1 % of titles.
 */
record SyntheticCatalog(int titles, int segments, int events, int revision) implements CatalogSource {

    private static final String[] GENRES = {"Action", "Comedy", "Drama", "Documentary", "Sports", "Thriller", "Kids",
        "Romance", "Horror", "Sci-Fi", "Anime", "Reality", "Crime", "Music", "Fantasy", "Family"};
    private static final String[] COUNTRIES = {"US", "GB", "BR", "MX", "DE", "FR", "JP", "KR", "IN", "ES"};
    private static final String[] LANGUAGES = {"en", "es", "pt", "de", "fr", "ja", "ko", "hi"};
    private static final String[] LEAGUES = {"UFC", "NFL", "WWE", "Boxing", "Premiere", "NBA"};
    private static final int[] MATURITY = {0, 7, 13, 16, 18};
    static final int CAST_PER_TITLE = 5;
    static final int TITLES_PER_ROW = 40;

    public SyntheticCatalog {
        if (titles < 1 || segments < 0 || events < 0 || events > titles || revision < 0) {
            throw new IllegalArgumentException("bad sizes: titles=" + titles + " segments=" + segments + " events=" + events);
        }
    }

    /** The same catalog at the next revision (1 % of titles changed). */
    public SyntheticCatalog next() {
        return new SyntheticCatalog(titles, segments, events, revision + 1);
    }

    public int peopleCount() {
        return Math.max(10, titles / 50);
    }

    public int artworkCount() {
        return Math.max(5, titles / 100);
    }

    public int rowCount() {
        return Math.max(1, Math.min(500, titles / TITLES_PER_ROW));
    }

    @Override
    public CatalogInput load() {
        int peopleCount = peopleCount();
        int artworkCount = artworkCount();
        List<CatalogInput.Person> people = new ArrayList<>(peopleCount);
        for (int i = 0; i < peopleCount; i++) {
            people.add(new CatalogInput.Person("p" + i, "Person " + i));
        }
        List<CatalogInput.Artwork> artwork = new ArrayList<>(artworkCount);
        for (int i = 0; i < artworkCount; i++) {
            artwork.add(new CatalogInput.Artwork("a" + i, i % 2 == 0 ? "BOXART" : "BILLBOARD",
                    "https://img.example.com/art/a" + i + ".jpg", 342, 192));
        }
        List<CatalogInput.Title> titleList = new ArrayList<>(titles);
        int changedResidue = revision == 0 ? -1 : revision % 100;
        for (int i = 0; i < titles; i++) {
            SplittableRandom rnd = new SplittableRandom(0x5EEDL * 31 + i);
            List<String> cast = new ArrayList<>(CAST_PER_TITLE);
            for (int c = 0; c < CAST_PER_TITLE; c++) {
                cast.add("p" + rnd.nextInt(peopleCount));
            }
            List<String> genres = List.of(GENRES[rnd.nextInt(GENRES.length)], GENRES[rnd.nextInt(GENRES.length)]);
            String synopsis = "Synopsis of title " + i + ": a story worth watching.";
            if (i % 100 == changedResidue) {
                synopsis += " (revision " + revision + ")";
            }
            titleList.add(new CatalogInput.Title("t" + i, "Title " + i, synopsis, MATURITY[rnd.nextInt(MATURITY.length)],
                    genres, cast, "a" + (i % artworkCount)));
        }
        List<CatalogInput.LiveEvent> liveEvents = new ArrayList<>(events);
        for (int e = 0; e < events; e++) {
            liveEvents.add(new CatalogInput.LiveEvent("ev" + e, "t" + e, LEAGUES[e % LEAGUES.length],
                    "a" + (e % artworkCount)));
        }
        int rowCount = rowCount();
        List<CatalogInput.Row> rows = new ArrayList<>(rowCount);
        for (int r = 0; r < rowCount; r++) {
            List<String> ids = new ArrayList<>(TITLES_PER_ROW);
            for (int k = 0; k < TITLES_PER_ROW; k++) {
                ids.add("t" + ((r * TITLES_PER_ROW + k) % titles));
            }
            rows.add(new CatalogInput.Row("r" + r, r == 0 ? "Live now" : "Row " + r, ids));
        }
        List<CatalogInput.Segment> segmentList = new ArrayList<>(segments);
        for (int s = 0; s < segments; s++) {
            segmentList.add(new CatalogInput.Segment("s" + s, COUNTRIES[s % COUNTRIES.length],
                    LANGUAGES[s % LANGUAGES.length], MATURITY[s % MATURITY.length]));
        }
        return new CatalogInput(people, artwork, titleList, liveEvents, rows, segmentList);
    }
}
