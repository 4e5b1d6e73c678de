package io.kickoff.prefetch.catalog;

import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CatalogJsonTest {

    private static Path resource(String name) throws Exception {
        return Path.of(CatalogJsonTest.class.getResource("/catalog/" + name).toURI());
    }

    @Test
    void parsesTheCheckedInExample() {
        CatalogInput in = CatalogSource.json(Path.of("catalog-example.json")).load();
        assertThat(in.people()).hasSize(3);
        assertThat(in.artwork()).extracting(CatalogInput.Artwork::id).containsExactly("a-ufc-309", "a-ufc-box");
        assertThat(in.titles()).hasSize(3);
        assertThat(in.titles().get(0).cast()).containsExactly("p-jones", "p-miocic", "p-rogan");
        assertThat(in.liveEvents()).singleElement().satisfies(e -> {
            assertThat(e.eventId()).isEqualTo("ev-ufc-309");
            assertThat(e.league()).isEqualTo("UFC");
        });
        assertThat(in.rows()).hasSize(2);
        assertThat(in.segments()).extracting(CatalogInput.Segment::maturityCeiling).containsExactly(18, 13, 18);
        assertThat(in.toHollowRecords()).hasSize(3 + 2 + 3 + 1 + 2 + 3);
    }

    @Test
    void theExampleOnTheClassPathIsTheCheckedInFile() {
        // One file: what serve and demo publish is what docs/catalog.md shows.
        assertThat(CatalogSource.example().load()).isEqualTo(CatalogSource.json(Path.of("catalog-example.json")).load());
    }

    @Test
    void malformedJsonNamesFileLineAndColumn() throws Exception {
        Path file = resource("malformed.json");
        assertThatThrownBy(() -> CatalogSource.json(file).load())
                .isInstanceOf(CatalogFormatException.class)
                .hasMessageContaining("malformed catalog")
                .hasMessageContaining("malformed.json")
                .hasMessageContaining("line 4");
    }

    @Test
    void unknownFieldAndWrongTypeAreRejected() {
        assertThatThrownBy(() -> CatalogSource.parseJson("{\"titles\":[{\"id\":\"t1\",\"nmae\":\"x\"}]}", "inline"))
                .isInstanceOf(CatalogFormatException.class)
                .hasMessageContaining("nmae");
        assertThatThrownBy(() -> CatalogSource.parseJson("{\"titles\":[{\"id\":\"t1\",\"maturity\":\"old\"}]}", "inline"))
                .isInstanceOf(CatalogFormatException.class)
                .hasMessageContaining("inline")
                .hasMessageContaining("at titles[0].maturity");
        assertThatThrownBy(() -> CatalogSource.parseJson("", "empty.json"))
                .isInstanceOf(CatalogFormatException.class)
                .hasMessageContaining("empty.json");
    }

    @Test
    void danglingReferenceNamesTheEntry() throws Exception {
        CatalogInput in = CatalogSource.json(resource("dangling-cast.json")).load();
        assertThatThrownBy(in::toHollowRecords)
                .isInstanceOf(CatalogFormatException.class)
                .hasMessage("titles[0].cast[1]: unknown person 'p9'");
    }

    @Test
    void missingRequiredFieldAndDuplicateIdAreRejected() {
        assertThatThrownBy(() -> CatalogSource.parseJson("{\"titles\":[{\"id\":\"t1\",\"maturity\":7}]}", "x").toHollowRecords())
                .isInstanceOf(CatalogFormatException.class)
                .hasMessage("titles[0].name: required");
        assertThatThrownBy(() -> CatalogSource.parseJson(
                "{\"segments\":[{\"id\":\"s\",\"country\":\"US\",\"language\":\"en\",\"maturityCeiling\":18},"
                        + "{\"id\":\"s\",\"country\":\"US\",\"language\":\"en\",\"maturityCeiling\":13}]}", "x")
                .toHollowRecords())
                .isInstanceOf(CatalogFormatException.class)
                .hasMessage("segments[1].id: duplicate id 's'");
    }

    @Test
    void missingFileIsAnIoError() {
        assertThatThrownBy(() -> CatalogSource.json(Path.of("does-not-exist.json")).load())
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("does-not-exist.json");
    }
}
