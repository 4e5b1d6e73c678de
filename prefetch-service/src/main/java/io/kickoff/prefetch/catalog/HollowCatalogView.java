package io.kickoff.prefetch.catalog;

import com.netflix.hollow.api.objects.generic.GenericHollowList;
import com.netflix.hollow.api.objects.generic.GenericHollowObject;
import com.netflix.hollow.core.read.engine.HollowReadStateEngine;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads catalog records out of a Hollow read state engine by ordinal, without generated code. */
final class HollowCatalogView {

    private HollowCatalogView() {
    }

    static CatalogView.Title title(HollowReadStateEngine engine, int ordinal) {
        GenericHollowObject o = new GenericHollowObject(engine, CatalogModel.TITLE, ordinal);
        List<String> genres = new ArrayList<>();
        GenericHollowList gl = o.getList("genres");
        if (gl != null) {
            for (GenericHollowObject g : gl.objects()) {
                genres.add(g.getString("value"));
            }
        }
        List<String> cast = new ArrayList<>();
        GenericHollowList cl = o.getList("cast");
        if (cl != null) {
            for (GenericHollowObject p : cl.objects()) {
                cast.add(p.getString("name"));
            }
        }
        GenericHollowObject art = o.getObject("artwork");
        return new CatalogView.Title(o.getString("id"), o.getString("name"), o.getString("synopsis"),
                o.getInt("maturity"), List.copyOf(genres), List.copyOf(cast), art == null ? null : art.getString("id"));
    }

    static CatalogView.Artwork artwork(HollowReadStateEngine engine, int ordinal) {
        GenericHollowObject o = new GenericHollowObject(engine, CatalogModel.ARTWORK, ordinal);
        return new CatalogView.Artwork(o.getString("id"), o.getString("kind"), o.getString("url"), o.getInt("width"),
                o.getInt("height"));
    }

    static CatalogView.LiveEventInfo liveEvent(HollowReadStateEngine engine, int ordinal) {
        GenericHollowObject o = new GenericHollowObject(engine, CatalogModel.LIVE_EVENT, ordinal);
        GenericHollowObject art = o.getObject("artwork");
        return new CatalogView.LiveEventInfo(o.getString("eventId"), o.getString("titleId"), o.getString("league"),
                art == null ? null : art.getString("id"));
    }

    /** A row and its position in the catalog. */
    record PositionedRow(int position, CatalogView.Row row) {
    }

    static PositionedRow row(HollowReadStateEngine engine, int ordinal) {
        GenericHollowObject o = new GenericHollowObject(engine, CatalogModel.ROW, ordinal);
        List<String> ids = new ArrayList<>();
        GenericHollowList l = o.getList("titleIds");
        if (l != null) {
            for (GenericHollowObject s : l.objects()) {
                ids.add(s.getString("value"));
            }
        }
        return new PositionedRow(o.getInt("position"),
                new CatalogView.Row(o.getString("id"), o.getString("name"), List.copyOf(ids)));
    }

    static CatalogView.Segment segment(HollowReadStateEngine engine, int ordinal) {
        GenericHollowObject o = new GenericHollowObject(engine, CatalogModel.SEGMENT, ordinal);
        return new CatalogView.Segment(o.getString("id"), o.getString("country"), o.getString("language"),
                o.getInt("maturityCeiling"));
    }

    static <T> Optional<T> ifPresent(Integer ordinal, java.util.function.IntFunction<T> read) {
        return ordinal == null ? Optional.empty() : Optional.of(read.apply(ordinal));
    }
}
