package io.kickoff.prefetch.catalog;

import com.netflix.hollow.core.write.objectmapper.HollowInline;
import com.netflix.hollow.core.write.objectmapper.HollowPrimaryKey;
import com.netflix.hollow.core.write.objectmapper.HollowTypeName;

import java.util.List;

/**
 * The catalog's Hollow data model, written with the Hollow object mapper. Each top-level type has a primary key.
 * Cast members ({@link Person}) and {@link Artwork} are their own types and are referenced from titles and live
 * events, so Hollow stores every distinct record once however many titles share it.
 *
 * <p>Type names (stable, used in blobs, in {@link CatalogChange} and in {@link CatalogDiff}): {@value #TITLE},
 * {@value #ARTWORK}, {@value #PERSON}, {@value #LIVE_EVENT}, {@value #ROW}, {@value #SEGMENT}.
 */
public final class CatalogModel {

    public static final String TITLE = "Title";
    public static final String ARTWORK = "Artwork";
    public static final String PERSON = "Person";
    public static final String LIVE_EVENT = "LiveEvent";
    public static final String ROW = "Row";
    public static final String SEGMENT = "Segment";

    /** The keyed types, in dependency order (referenced types first). */
    public static final List<String> KEYED_TYPES = List.of(PERSON, ARTWORK, TITLE, LIVE_EVENT, ROW, SEGMENT);

    /** The classes to initialise a producer's data model with. */
    static final Class<?>[] CLASSES = {Person.class, Artwork.class, Title.class, LiveEvent.class, Row.class, Segment.class};

    /** The primary-key field of a keyed type (always one inline string field). */
    static String keyField(String type) {
        return LIVE_EVENT.equals(type) ? "eventId" : "id";
    }

    private CatalogModel() {
    }

    @HollowTypeName(name = PERSON)
    @HollowPrimaryKey(fields = "id")
    static final class Person {
        @HollowInline final String id;
        @HollowInline final String name;

        Person(String id, String name) {
            this.id = id;
            this.name = name;
        }
    }

    @HollowTypeName(name = ARTWORK)
    @HollowPrimaryKey(fields = "id")
    static final class Artwork {
        @HollowInline final String id;
        @HollowInline final String kind;
        @HollowInline final String url;
        final int width;
        final int height;

        Artwork(String id, String kind, String url, int width, int height) {
            this.id = id;
            this.kind = kind;
            this.url = url;
            this.width = width;
            this.height = height;
        }
    }

    @HollowTypeName(name = TITLE)
    @HollowPrimaryKey(fields = "id")
    static final class Title {
        @HollowInline final String id;
        @HollowInline final String name;
        @HollowInline final String synopsis;
        final int maturity;
        final List<String> genres;
        final List<Person> cast;
        final Artwork artwork;

        Title(String id, String name, String synopsis, int maturity, List<String> genres, List<Person> cast,
              Artwork artwork) {
            this.id = id;
            this.name = name;
            this.synopsis = synopsis;
            this.maturity = maturity;
            this.genres = genres;
            this.cast = cast;
            this.artwork = artwork;
        }
    }

    @HollowTypeName(name = LIVE_EVENT)
    @HollowPrimaryKey(fields = "eventId")
    static final class LiveEvent {
        @HollowInline final String eventId;
        @HollowInline final String titleId;
        @HollowInline final String league;
        final Artwork artwork;

        LiveEvent(String eventId, String titleId, String league, Artwork artwork) {
            this.eventId = eventId;
            this.titleId = titleId;
            this.league = league;
            this.artwork = artwork;
        }
    }

    @HollowTypeName(name = ROW)
    @HollowPrimaryKey(fields = "id")
    static final class Row {
        @HollowInline final String id;
        @HollowInline final String name;
        /** Position of the row in the catalog (its order in the input). */
        final int position;
        final List<String> titleIds;

        Row(String id, String name, int position, List<String> titleIds) {
            this.id = id;
            this.name = name;
            this.position = position;
            this.titleIds = titleIds;
        }
    }

    @HollowTypeName(name = SEGMENT)
    @HollowPrimaryKey(fields = "id")
    static final class Segment {
        @HollowInline final String id;
        @HollowInline final String country;
        @HollowInline final String language;
        final int maturityCeiling;

        Segment(String id, String country, String language, int maturityCeiling) {
            this.id = id;
            this.country = country;
            this.language = language;
            this.maturityCeiling = maturityCeiling;
        }
    }
}
