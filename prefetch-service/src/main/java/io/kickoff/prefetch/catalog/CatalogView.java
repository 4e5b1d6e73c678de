package io.kickoff.prefetch.catalog;

import java.util.List;
import java.util.Optional;

/**
 * One consistent version of the catalog, as the materializer reads it. The Hollow consumer
 * provides it; tests can provide it from plain maps.
 */
public interface CatalogView {

    /** The catalog version this view shows (Hollow's data state version). */
    long version();

    Optional<Title> title(String id);

    Optional<Artwork> artwork(String id);

    /** Catalog metadata of a live event (its title, league or kind, artwork). */
    Optional<LiveEventInfo> liveEvent(String eventId);

    /** Rows that contain the event's title, in catalog order. */
    List<Row> rowsWithTitle(String titleId);

    Optional<Segment> segment(String id);

    List<Segment> segments();

    record Title(String id, String name, String synopsis, int maturity, List<String> genres, List<String> cast,
                 String artworkId) {
    }

    record Artwork(String id, String kind, String url, int width, int height) {
    }

    record LiveEventInfo(String eventId, String titleId, String league, String artworkId) {
    }

    record Row(String id, String name, List<String> titleIds) {
    }

    record Segment(String id, String country, String language, int maturityCeiling) {
    }
}
