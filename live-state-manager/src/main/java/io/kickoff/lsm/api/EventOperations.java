package io.kickoff.lsm.api;

import io.kickoff.lsm.audience.AudienceView;
import io.kickoff.lsm.delivery.DeliveryBoard;
import io.kickoff.lsm.event.EventPatch;
import io.kickoff.lsm.event.LiveEvent;
import io.kickoff.lsm.event.LiveEvents;
import io.kickoff.lsm.event.NewEvent;
import io.kickoff.lsm.event.UnknownEventException;
import io.kickoff.lsm.event.VersionConflictException;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The admin API's operations on events: each reads its input from the exchange (a 400 if it is not valid) and returns
 * the work to do on {@link LiveEvents}, which answers with a view of the event (and its {@code ETag}).
 */
final class EventOperations {
    private static final Pattern STRONG_ETAG = Pattern.compile("\"(\\d{1,18})\"");

    private final LiveEvents events;
    private final DeliveryBoard delivery;
    private final AudienceView audience;

    EventOperations(LiveEvents events, DeliveryBoard delivery, AudienceView audience) {
        this.events = Objects.requireNonNull(events, "events");
        this.delivery = Objects.requireNonNull(delivery, "delivery");
        this.audience = Objects.requireNonNull(audience, "audience");
    }

    Supplier<CompletableFuture<Answer>> list(Exchange exchange) {
        Requests.Listing listing = Requests.listing(exchange.query());
        return () -> events.list(listing.stage(), listing.cursor(), listing.limit()).thenApply(page -> {
            String next = page.nextCursor() == null || page.nextCursor().isEmpty() ? null : page.nextCursor();
            return Answer.json(200, new Views.EventList(page.items().stream().map(this::view).toList(), next));
        });
    }

    Supplier<CompletableFuture<Answer>> create(Exchange exchange) {
        NewEvent spec = Requests.newEvent(exchange.json(), events.clock().instant());
        return () -> events.create(spec, actor(exchange), exchange.deadline())
                .thenApply(e -> withEtag(201, e).withHeader("Location", Views.location(e.id())));
    }

    Supplier<CompletableFuture<Answer>> find(Exchange exchange) {
        String id = id(exchange);
        return () -> events.find(id).thenApply(found -> withEtag(200, found.orElseThrow(() -> new UnknownEventException(id))));
    }

    Supplier<CompletableFuture<Answer>> update(Exchange exchange) {
        String id = id(exchange);
        EventPatch patch = Requests.patch(exchange.json(), events.clock().instant());
        String ifMatch = exchange.header(HttpHeaderNames.IF_MATCH);
        return () -> ifMatching(id, ifMatch,
                expected -> events.update(id, expected, patch, actor(exchange), exchange.deadline()));
    }

    Supplier<CompletableFuture<Answer>> transition(Exchange exchange) {
        String id = id(exchange);
        Requests.Transition transition = Requests.transition(exchange.json());
        String ifMatch = exchange.header(HttpHeaderNames.IF_MATCH);
        return () -> ifMatching(id, ifMatch, expected -> events.transition(id, expected, transition.to(),
                transition.reason(), actor(exchange), exchange.deadline()));
    }

    /**
     * A write made only if the event is at the version {@code If-Match} names (see {@link #expectedVersion}): 200
     * with the event and its ETag, or 412 with the current ETag when another change came first.
     */
    private CompletableFuture<Answer> ifMatching(String id, String ifMatch,
                                                 Function<OptionalLong, CompletableFuture<LiveEvent>> write) {
        return expectedVersion(id, ifMatch).thenCompose(expected -> write.apply(expected)
                .thenApply(e -> withEtag(200, e))
                .exceptionallyCompose(error -> Problems.unwrap(error) instanceof VersionConflictException
                        && expected.isPresent()
                        ? this.<Answer>preconditionFailed(id)
                        : CompletableFuture.<Answer>failedFuture(Problems.unwrap(error))));
    }

    Supplier<CompletableFuture<Answer>> history(Exchange exchange) {
        String id = id(exchange);
        return () -> events.history(id).thenApply(lines ->
                Answer.json(200, new Views.History(id, lines.stream().map(Views.HistoryLine::of).toList())));
    }

    Supplier<CompletableFuture<Answer>> delivery(Exchange exchange) {
        String id = id(exchange);
        return () -> events.find(id).thenApply(found -> {
            found.orElseThrow(() -> new UnknownEventException(id));
            List<Views.DeliveryLine> lines = delivery.lines(id).stream().map(Views.DeliveryLine::of).toList();
            return Answer.json(200, new Views.Delivery(id, delivery.nodeCount(), lines));
        });
    }

    /**
     * The event's audience now and its series of the last hour ({@code since} narrows it): 503 where no audience source
     * feeds this instance, 404 for an event that does not exist; an event nobody has watched yet has 0 viewers.
     */
    Supplier<CompletableFuture<Answer>> audience(Exchange exchange) {
        String id = id(exchange);
        Optional<Instant> since = Requests.since(exchange.query());
        if (!audience.available()) {
            throw Problems.audienceUnavailable();
        }
        return () -> events.find(id).thenApply(found -> {
            found.orElseThrow(() -> new UnknownEventException(id));
            return Answer.json(200, Views.Audience.of(audience.of(id, since)));
        });
    }

    private static String id(Exchange exchange) {
        return exchange.route().parameter("id");
    }

    private static String actor(Exchange exchange) {
        return exchange.caller().token().name();
    }

    /**
     * The version a PATCH or a transition must find, from {@code If-Match}: none (absent or {@code *}: the current
     * version), the one strong tag given, or, with several tags, the current version if it is
     * among them. A tag that can never match (weak, malformed, another version) ends in 412.
     */
    private CompletableFuture<OptionalLong> expectedVersion(String id, String ifMatch) {
        if (ifMatch == null || ifMatch.isBlank()) {
            return CompletableFuture.completedFuture(OptionalLong.empty());
        }
        Set<Long> versions = new HashSet<>();
        for (String tag : ifMatch.split(",")) {
            String t = tag.strip();
            if (t.equals("*")) {
                return CompletableFuture.completedFuture(OptionalLong.empty());
            }
            Matcher m = STRONG_ETAG.matcher(t);
            if (m.matches()) {
                versions.add(Long.parseLong(m.group(1)));
            }
        }
        if (versions.size() == 1) {
            return CompletableFuture.completedFuture(OptionalLong.of(versions.iterator().next()));
        }
        return events.find(id).thenCompose(found -> {
            LiveEvent current = found.orElseThrow(() -> new UnknownEventException(id));
            return versions.contains(current.version())
                    ? CompletableFuture.completedFuture(OptionalLong.of(current.version()))
                    : this.<OptionalLong>preconditionFailed(id);
        });
    }

    /** 412 with the event's current ETag (404 if it is gone). */
    private <T> CompletableFuture<T> preconditionFailed(String id) {
        return events.find(id).thenApply(found -> {
            LiveEvent current = found.orElseThrow(() -> new UnknownEventException(id));
            throw Problems.preconditionFailed(Views.etag(current));
        });
    }

    private Answer withEtag(int status, LiveEvent event) {
        return Answer.json(status, view(event)).withHeader("ETag", Views.etag(event));
    }

    private Views.EventView view(LiveEvent event) {
        return Views.EventView.of(event, delivery.bundleVersions(event.id()));
    }
}
