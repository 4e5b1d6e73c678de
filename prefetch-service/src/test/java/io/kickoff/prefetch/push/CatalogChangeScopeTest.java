package io.kickoff.prefetch.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.prefetch.bundle.MapCatalog;
import io.kickoff.prefetch.catalog.CatalogChange;
import io.kickoff.prefetch.catalog.CatalogModel;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which catalog changes make an event's bundles worth re-materializing. */
class CatalogChangeScopeTest {
    final MapCatalog view = MapCatalog.sample();

    static CatalogChange changed(String type, String... keys) {
        return new CatalogChange(1, 2, false, Map.of(type, new CatalogChange.TypeChange(Set.of(), Set.of(), Set.of(keys))));
    }

    @Test
    void theEventItsTitleAndTheTitlesOfItsRowsTouchIt() {
        assertThat(BundlePush.touches(changed(CatalogModel.LIVE_EVENT, "ev-1"), "ev-1", view)).isTrue();
        assertThat(BundlePush.touches(changed(CatalogModel.TITLE, "t-fight"), "ev-1", view)).isTrue();
        assertThat(BundlePush.touches(changed(CatalogModel.TITLE, "t-doc"), "ev-1", view)).isTrue();
        assertThat(BundlePush.touches(changed(CatalogModel.ROW, "r-misc"), "ev-1", view)).as("rows: conservative").isTrue();
    }

    @Test
    void unrelatedTitlesAndOtherEventsDoNot() {
        assertThat(BundlePush.touches(changed(CatalogModel.TITLE, "t-other"), "ev-1", view)).isFalse();
        assertThat(BundlePush.touches(changed(CatalogModel.LIVE_EVENT, "ev-2"), "ev-1", view)).isFalse();
        assertThat(BundlePush.touches(changed(CatalogModel.TITLE, "t-fight"), "ev-unknown", view)).isFalse();
    }
}
