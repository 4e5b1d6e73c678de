package io.kickoff.prefetch.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.protocol.Timestamps;
import io.kickoff.protocol.v1.Bundle;
import io.kickoff.protocol.v1.Rendering;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.StageUpdate;
import io.kickoff.protocol.v1.TitleCard;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class MaterializerTest {
    static final Instant START = Instant.parse("2026-11-22T20:00:00Z");
    final MapCatalog catalog = MapCatalog.sample();
    final Materializer materializer =
            new Materializer(Clock.fixed(START.minusSeconds(3600), ZoneOffset.UTC), 20, Duration.ofHours(6));

    static StageUpdate update(Stage stage, String... segments) {
        return StageUpdate.newBuilder().setEventId("ev-1").setStage(stage).setSeq(1)
                .setScheduledStart(Timestamps.of(START)).addAllSegments(List.of(segments)).build();
    }

    private Bundle bundle(String segment) {
        return materializer.materialize(update(Stage.PREFETCH), segment, catalog).orElseThrow();
    }

    private static List<String> ids(Rendering r) {
        return r.getTitlesList().stream().map(TitleCard::getTitleId).toList();
    }

    @Test
    void rendersEveryStageWithTheEventTitleFirstAndItsRows() {
        Bundle b = bundle("adult");
        assertThat(b.getEventId()).isEqualTo("ev-1");
        assertThat(b.getSegment()).isEqualTo("adult");
        assertThat(b.getStagesMap()).containsOnlyKeys("PREFETCH", "PRE_SHOW", "LIVE");
        assertThat(ids(b.getStagesOrThrow("LIVE"))).containsExactly("t-fight", "t-doc", "t-horror", "t-recap");
        TitleCard first = b.getStagesOrThrow("PREFETCH").getTitles(0);
        assertThat(first.getName()).isEqualTo("Title Fight");
        assertThat(first.getMaturity()).isEqualTo("16");
        assertThat(first.getArtworkUrl()).isEqualTo("https://img.example/t-fight.jpg");
        assertThat(first.getGenresList()).containsExactly("sport");
        assertThat(b.getStagesOrThrow("PREFETCH").getRowTitle()).contains("Title Fight");
        assertThat(b.getStagesOrThrow("PRE_SHOW").getBadgesList()).contains("Starts in");
        assertThat(b.getStagesOrThrow("LIVE").getBadgesList()).contains("Live");
        assertThat(b.getStagesOrThrow("LIVE").getCallToAction()).isEqualTo("Watch live");
        assertThat(Timestamps.toInstant(b.getExpiresAt())).isEqualTo(START.plus(Duration.ofHours(6)));
        assertThat(b.getVersion()).hasSize(16).isEqualTo(Materializer.versionOf(b));
    }

    @Test
    void filtersBySegmentMaturityCeiling() {
        assertThat(ids(bundle("teen").getStagesOrThrow("PREFETCH"))).containsExactly("t-fight", "t-doc", "t-recap");
        // The event itself is above the kids ceiling: no bundle at all.
        assertThat(materializer.materialize(update(Stage.PREFETCH), "kids", catalog)).isEmpty();
        assertThat(materializer.materialize(update(Stage.PREFETCH), "nope", catalog)).isEmpty();
    }

    @Test
    void capsTheTitles() {
        for (int i = 0; i < 30; i++) {
            catalog.title("x" + i, "Extra " + i, 7);
        }
        catalog.rows.add(new io.kickoff.prefetch.catalog.CatalogView.Row("r-big", "Big",
                java.util.stream.Stream.concat(java.util.stream.Stream.of("t-fight"),
                        java.util.stream.IntStream.range(0, 30).mapToObj(i -> "x" + i)).toList()));
        Bundle b = bundle("adult");
        assertThat(b.getStagesOrThrow("LIVE").getTitlesCount()).isEqualTo(20);
        assertThat(b.getStagesOrThrow("LIVE").getTitles(0).getTitleId()).isEqualTo("t-fight");
    }

    @Test
    void audienceIsTheUpdatesSegmentsOrEveryCatalogSegment() {
        assertThat(materializer.audience(update(Stage.PREFETCH), catalog)).containsExactly("kids", "teen", "adult");
        assertThat(materializer.audience(update(Stage.PREFETCH, "teen", "ghost"), catalog)).containsExactly("teen");
    }

    @Test
    void versionChangesIffContentChanges() {
        Bundle a = bundle("adult");
        Bundle again = materializer.materialize(update(Stage.LIVE), "adult", catalog).orElseThrow();
        assertThat(again.getVersion()).isEqualTo(a.getVersion());
        assertThat(again.toByteArray()).isEqualTo(a.toByteArray());

        catalog.version = 2; // a catalog version bump alone changes nothing shown
        assertThat(bundle("adult").getVersion()).isEqualTo(a.getVersion());

        catalog.title("t-recap", "Season Recap (updated)", 12);
        Bundle changed = bundle("adult");
        assertThat(changed.getVersion()).isNotEqualTo(a.getVersion());

        assertThat(bundle("teen").getVersion()).isNotEqualTo(changed.getVersion());
    }
}
