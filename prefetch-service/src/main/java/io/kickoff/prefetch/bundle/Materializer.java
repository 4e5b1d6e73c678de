package io.kickoff.prefetch.bundle;

import io.kickoff.prefetch.catalog.CatalogView;
import io.kickoff.protocol.Stages;
import io.kickoff.protocol.Timestamps;
import io.kickoff.protocol.v1.Bundle;
import io.kickoff.protocol.v1.Rendering;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.StageUpdate;
import io.kickoff.protocol.v1.TitleCard;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds the {@link Bundle} of one (event, segment) from a catalog view: one {@link Rendering} per
 * stage {@code PREFETCH}, {@code PRE_SHOW} and {@code LIVE}. Pure and thread-safe: equal inputs give
 * equal bytes.
 *
 * <p>Titles: the event's own title first, then the titles of every catalog row that contains it
 * (in row order, without duplicates), keeping only those whose maturity is at most the segment's
 * ceiling, capped at {@code maxTitles}. If the event's own title is above the ceiling the segment
 * gets no bundle.
 *
 * <p>{@code expires_at} = scheduled start + {@code retentionAfterStart} (now + that when the update has
 * no start), truncated to the second, so it is deterministic. {@code version} is the first 16 hex
 * digits of SHA-256 over event id, segment, expiry and every stage's rendering bytes in stage-name
 * order: the version changes if and only if the content does.
 */
public final class Materializer {
    public static final int DEFAULT_MAX_TITLES = 20;
    public static final Duration DEFAULT_RETENTION_AFTER_START = Duration.ofHours(6);

    private final Clock clock;
    private final int maxTitles;
    private final Duration retentionAfterStart;

    public Materializer() {
        this(Clock.systemUTC(), DEFAULT_MAX_TITLES, DEFAULT_RETENTION_AFTER_START);
    }

    public Materializer(Clock clock, int maxTitles, Duration retentionAfterStart) {
        if (maxTitles < 1) {
            throw new IllegalArgumentException("maxTitles must be positive");
        }
        this.clock = clock;
        this.maxTitles = maxTitles;
        this.retentionAfterStart = retentionAfterStart;
    }

    /** The segments the event is shown to: its audience, or every catalog segment if it has none. Unknown ids are dropped. */
    public List<String> audience(StageUpdate update, CatalogView catalog) {
        if (update.getSegmentsList().isEmpty()) {
            return catalog.segments().stream().map(CatalogView.Segment::id).toList();
        }
        return update.getSegmentsList().stream()
                .distinct()
                .filter(id -> catalog.segment(id).isPresent())
                .toList();
    }

    /** The bundle of (event, segment), or empty if the catalog does not know the event, its title or the segment, or the segment may not see it. */
    public Optional<Bundle> materialize(StageUpdate update, String segmentId, CatalogView catalog) {
        Optional<CatalogView.Segment> segment = catalog.segment(segmentId);
        Optional<CatalogView.LiveEventInfo> event = catalog.liveEvent(update.getEventId());
        if (segment.isEmpty() || event.isEmpty()) {
            return Optional.empty();
        }
        Optional<CatalogView.Title> eventTitle = catalog.title(event.get().titleId());
        int ceiling = segment.get().maturityCeiling();
        if (eventTitle.isEmpty() || eventTitle.get().maturity() > ceiling) {
            return Optional.empty();
        }
        List<TitleCard> cards = titleCards(eventTitle.get(), ceiling, catalog);
        String name = eventTitle.get().name();
        Optional<Instant> start = update.hasScheduledStart()
                ? Optional.of(Timestamps.toInstant(update.getScheduledStart()))
                : Optional.empty();
        String league = event.get().league();

        Map<String, Rendering> stages = new TreeMap<>();
        for (Stage stage : Stages.PREFETCHED) {
            stages.put(stage.name(), rendering(stage, name, league, start, cards));
        }
        Instant expiresAt = start.orElseGet(clock::instant).plus(retentionAfterStart).truncatedTo(ChronoUnit.SECONDS);
        Bundle.Builder bundle = Bundle.newBuilder()
                .setEventId(update.getEventId())
                .setSegment(segmentId)
                .putAllStages(stages)
                .setExpiresAt(Timestamps.of(expiresAt));
        return Optional.of(bundle.setVersion(versionOf(bundle.build())).build());
    }

    private List<TitleCard> titleCards(CatalogView.Title eventTitle, int ceiling, CatalogView catalog) {
        Set<String> ids = new LinkedHashSet<>();
        ids.add(eventTitle.id());
        for (CatalogView.Row row : catalog.rowsWithTitle(eventTitle.id())) {
            ids.addAll(row.titleIds());
        }
        List<TitleCard> cards = new ArrayList<>();
        for (String id : ids) {
            if (cards.size() >= maxTitles) {
                break;
            }
            catalog.title(id)
                    .filter(t -> t.maturity() <= ceiling)
                    .ifPresent(t -> cards.add(card(t, catalog)));
        }
        return cards;
    }

    private static TitleCard card(CatalogView.Title title, CatalogView catalog) {
        TitleCard.Builder card = TitleCard.newBuilder()
                .setTitleId(title.id())
                .setName(nullToEmpty(title.name()))
                .setSynopsis(nullToEmpty(title.synopsis()))
                .setMaturity(Integer.toString(title.maturity()));
        if (title.genres() != null) {
            card.addAllGenres(title.genres());
        }
        if (title.artworkId() != null) {
            catalog.artwork(title.artworkId()).map(CatalogView.Artwork::url).ifPresent(card::setArtworkUrl);
        }
        return card.build();
    }

    private static Rendering rendering(Stage stage, String name, String league, Optional<Instant> start,
                                       List<TitleCard> cards) {
        Rendering.Builder r = Rendering.newBuilder().addAllTitles(cards);
        String startsAt = start.map(s -> "Starts at " + s.truncatedTo(ChronoUnit.SECONDS)).orElse(null);
        switch (stage) {
            case PREFETCH -> {
                r.setRowTitle("Coming up: " + name).setCallToAction("Remind me").addBadges("Upcoming");
                if (startsAt != null) {
                    r.addBadges(startsAt);
                }
            }
            case PRE_SHOW -> {
                r.setRowTitle("Starting soon: " + name).setCallToAction("Watch the pre-show").addBadges("Starts in");
                if (startsAt != null) {
                    r.addBadges(startsAt);
                }
            }
            case LIVE -> r.setRowTitle("Live now: " + name).setCallToAction("Watch live").addBadges("Live");
            default -> throw new IllegalArgumentException("no rendering for " + stage);
        }
        if (league != null && !league.isBlank()) {
            r.addBadges(league);
        }
        return r.build();
    }

    /** The content hash of a bundle (its {@code version} field excluded). */
    static String versionOf(Bundle bundle) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        update(sha, bundle.getEventId().getBytes(StandardCharsets.UTF_8));
        update(sha, bundle.getSegment().getBytes(StandardCharsets.UTF_8));
        update(sha, bundle.getExpiresAt().toByteArray());
        for (Map.Entry<String, Rendering> stage : new TreeMap<>(bundle.getStagesMap()).entrySet()) {
            update(sha, stage.getKey().getBytes(StandardCharsets.UTF_8));
            update(sha, stage.getValue().toByteArray());
        }
        return HexFormat.of().formatHex(sha.digest(), 0, 8);
    }

    // Length-prefixed, so that field boundaries cannot shift between inputs.
    private static void update(MessageDigest sha, byte[] bytes) {
        int n = bytes.length;
        sha.update(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
        sha.update(bytes);
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
