package io.kickoff.lsm.event;

import io.kickoff.protocol.v1.Stage;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * When an event happens: its start, its expected end, and how long before the start the
 * prefetch and pre-show stages open. The timers of the state machine are derived from it, so
 * moving the schedule moves the timers.
 *
 * @param start        scheduled start: {@code LIVE} fires here
 * @param expectedEnd  expected end, or null if open-ended; {@code ENDED} fires here when {@code autoEnd}
 * @param prefetchLead {@code PREFETCH} fires this long before the start (devices fetch the bundle)
 * @param preShowLead  {@code PRE_SHOW} (the countdown) fires this long before the start
 * @param autoEnd      whether the event ends by itself at {@code expectedEnd}
 */
public record Schedule(Instant start, Instant expectedEnd, Duration prefetchLead, Duration preShowLead, boolean autoEnd) {

    public static final Duration DEFAULT_PREFETCH_LEAD = Duration.ofMinutes(30);
    public static final Duration DEFAULT_PRE_SHOW_LEAD = Duration.ofMinutes(5);
    /** The earliest instant a schedule may name: the start of RFC 3339 and of protobuf {@code Timestamp}. */
    public static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    /** The latest instant a schedule may name: the end of RFC 3339 and of protobuf {@code Timestamp}. */
    public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z");

    public Schedule {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(prefetchLead, "prefetchLead");
        Objects.requireNonNull(preShowLead, "preShowLead");
        if (preShowLead.isNegative() || prefetchLead.isNegative()) {
            throw new InvalidScheduleException("leads must not be negative", "pre_show_lead");
        }
        // Every instant the schedule derives must be one devices can be told (a protobuf Timestamp), so that no
        // stored event can make a stage update, a timer or a view fail later.
        requireInRange(start, "scheduled_start");
        if (expectedEnd != null) {
            requireInRange(expectedEnd, "expected_end");
        }
        requireTimerInRange(start, prefetchLead, "prefetch_lead");
        requireTimerInRange(start, preShowLead, "pre_show_lead");
        if (prefetchLead.compareTo(preShowLead) < 0) {
            throw new InvalidScheduleException("prefetch_lead must be at least pre_show_lead", "prefetch_lead");
        }
        if (expectedEnd != null && !expectedEnd.isAfter(start)) {
            throw new InvalidScheduleException("expected_end must be after scheduled_start", "expected_end");
        }
        if (autoEnd && expectedEnd == null) {
            throw new InvalidScheduleException("auto_end needs an expected_end", "auto_end");
        }
    }

    /** True if {@code instant} lies in the range of RFC 3339 and protobuf {@code Timestamp}: years 0001 to 9999. */
    public static boolean isRepresentable(Instant instant) {
        return !instant.isBefore(EARLIEST) && !instant.isAfter(LATEST);
    }

    private static void requireInRange(Instant instant, String field) {
        if (!isRepresentable(instant)) {
            throw new InvalidScheduleException(field + " must lie between " + EARLIEST + " and " + LATEST, field);
        }
    }

    private static void requireTimerInRange(Instant start, Duration lead, String field) {
        Instant at;
        try {
            at = start.minus(lead);
        } catch (DateTimeException | ArithmeticException e) {
            at = null;
        }
        if (at == null || !isRepresentable(at)) {
            throw new InvalidScheduleException(field + " is too long: scheduled_start minus " + field
                    + " must not be before " + EARLIEST, field);
        }
    }

    public Instant prefetchAt() {
        return start.minus(prefetchLead);
    }

    public Instant preShowAt() {
        return start.minus(preShowLead);
    }

    /** The transition the clock will make next from {@code stage}, if any. */
    public Optional<Timer> next(Stage stage) {
        return switch (stage) {
            case SCHEDULED -> Optional.of(new Timer(Stage.PREFETCH, prefetchAt()));
            case PREFETCH -> Optional.of(new Timer(Stage.PRE_SHOW, preShowAt()));
            case PRE_SHOW -> Optional.of(new Timer(Stage.LIVE, start));
            case LIVE -> autoEnd ? Optional.of(new Timer(Stage.ENDED, expectedEnd)) : Optional.empty();
            default -> Optional.empty();
        };
    }

    public Schedule withStart(Instant newStart) {
        return new Schedule(newStart, expectedEnd, prefetchLead, preShowLead, autoEnd);
    }

    /** A scheduled transition: move to {@code to} at {@code at}. */
    public record Timer(Stage to, Instant at) {
    }
}
