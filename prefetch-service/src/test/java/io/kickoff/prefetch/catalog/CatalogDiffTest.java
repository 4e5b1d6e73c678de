package io.kickoff.prefetch.catalog;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CatalogDiffTest {

    @TempDir
    Path dir;

    @Test
    void namesAddedRemovedAndModifiedRecordsWithChangedFields() {
        CatalogInput v1in = TestCatalogs.small();
        long v1 = CatalogPublisher.publish(dir, () -> v1in);
        // v2: t3 synopsis changed, t10 removed, t11 added; artwork a1 gets a new URL; person p3 renamed
        CatalogInput v2base = TestCatalogs.withArtwork(TestCatalogs.smallV2(), arts -> {
            arts.replaceAll(a -> a.id().equals("a1")
                    ? new CatalogInput.Artwork("a1", a.kind(), "https://img/a1-v2.jpg", a.width(), a.height()) : a);
            return arts;
        });
        CatalogInput v2in = new CatalogInput(List.of(new CatalogInput.Person("p1", "Ann"),
                new CatalogInput.Person("p2", "Bob"), new CatalogInput.Person("p3", "Cyrus")),
                v2base.artwork(), v2base.titles(), v2base.liveEvents(), v2base.rows(), v2base.segments());
        long v2 = CatalogPublisher.publish(dir, () -> v2in);

        CatalogDiff diff = CatalogDiff.between(CatalogBlobStore.directory(dir), v1, v2);

        CatalogDiff.TypeDiff titles = diff.type(CatalogModel.TITLE);
        assertThat(titles.added()).containsExactly("t11");
        assertThat(titles.removed()).containsExactly("t10");
        assertThat(titles.modified().get("t3")).contains("Title.synopsis");
        assertThat(titles.modified().get("t1")).containsExactly("Title.artwork.url");
        assertThat(titles.modified().get("t2")).contains("Title.artwork.url", "Title.cast.element.name");
        assertThat(titles.modified()).doesNotContainKey("t6"); // a2, cast p1, p2, p1: unchanged
        assertThat(diff.type(CatalogModel.ARTWORK).modified()).isEqualTo(Map.of("a1", List.of("Artwork.url")));
        assertThat(diff.type(CatalogModel.PERSON).modified()).isEqualTo(Map.of("p3", List.of("Person.name")));
        assertThat(diff.type(CatalogModel.SEGMENT).isEmpty()).isTrue();

        String text = diff.toText();
        assertThat(text).startsWith("catalog diff " + v1 + " -> " + v2 + "\n")
                .contains("Title: 1 added, 1 removed, ")
                .contains("  + t11\n")
                .contains("  - t10\n")
                .contains("  ~ t1: Title.artwork.url\n")
                .contains("Artwork: 0 added, 0 removed, 1 modified\n  ~ a1: Artwork.url\n")
                .contains("Person: 0 added, 0 removed, 1 modified\n  ~ p3: Person.name\n")
                .doesNotContain("Segment");
        assertThat(diff.toText(1)).contains("more");
    }

    @Test
    void identicalVersionsHaveNoChanges() {
        long v1 = CatalogPublisher.publish(dir, TestCatalogs::small);
        CatalogDiff diff = CatalogDiff.between(CatalogBlobStore.directory(dir), v1, v1);
        assertThat(diff.isEmpty()).isTrue();
        assertThat(diff.toText()).endsWith("no changes\n");
    }

    @Test
    void unknownVersionIsAClearError() {
        long v1 = CatalogPublisher.publish(dir, TestCatalogs::small);
        assertThatThrownBy(() -> CatalogDiff.between(CatalogBlobStore.directory(dir), v1, v1 + 12345))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.valueOf(v1 + 12345));
    }
}
