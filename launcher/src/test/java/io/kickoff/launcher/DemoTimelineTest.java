package io.kickoff.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DemoTimelineTest {
    private final StringWriter text = new StringWriter();
    private final PrintWriter out = new PrintWriter(text, true);

    @Test
    void aStepSaysWhenItHappenedSinceTheStart() {
        try (DemoTimeline timeline = new DemoTimeline(out, false, System.nanoTime())) {
            timeline.step("LIVE", "one broadcast");
        }
        assertThat(text.toString()).matches("(?s) +\\+\\d+\\.\\ds  LIVE {9}one broadcast\\R");
    }

    @Test
    void progressIsABarRedrawnInPlaceOnATerminal() {
        AtomicLong done = new AtomicLong(5);
        try (DemoTimeline timeline = new DemoTimeline(out, true, System.nanoTime());
             DemoTimeline.Progress progress = timeline.progress("connecting", 10, done::get, "welcomed")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> text.toString().contains("5/10"));
            done.set(10);
            await().atMost(Duration.ofSeconds(10)).until(() -> text.toString().contains("10/10"));
        }
        assertThat(text.toString()).startsWith("\r").contains("[###############...............] 50 % (5/10 welcomed)",
                "\r", "[##############################] 100 % (10/10 welcomed)").endsWith(System.lineSeparator());
    }

    @Test
    void aBarClosedShowsItsFinalCount() {
        AtomicLong done = new AtomicLong(3);
        try (DemoTimeline timeline = new DemoTimeline(out, true, System.nanoTime())) {
            DemoTimeline.Progress progress = timeline.progress("delivering", 10, done::get, "devices show LIVE");
            await().atMost(Duration.ofSeconds(10)).until(() -> text.toString().contains("3/10"));
            done.set(10);
            progress.close();
            timeline.step("delivered", "10/10");
        }
        assertThat(text.toString()).containsSubsequence("100 % (10/10 devices show LIVE)" + System.lineSeparator(),
                "delivered    10/10");
    }

    @Test
    void progressIsAPlainLineWhenTheCountMovesElsewhere() {
        AtomicLong done = new AtomicLong(1);
        try (DemoTimeline timeline = new DemoTimeline(out, false, System.nanoTime());
             DemoTimeline.Progress progress = timeline.progress("prefetch", 4, done::get, "devices hold the bundle")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> text.toString().contains("(1/4"));
            done.set(4);
            await().atMost(Duration.ofSeconds(10)).until(() -> text.toString().contains("(4/4"));
        }
        assertThat(text.toString()).doesNotContain("\r", "#")
                .contains("prefetch     25 % (1/4 devices hold the bundle)", "prefetch     100 % (4/4 devices hold the bundle)");
        // A stuck count is not repeated every second.
        assertThat(text.toString().lines().filter(l -> l.contains("(1/4")).count()).isEqualTo(1);
    }

    @Test
    void aCountdownTicksEverySecondThenCompletes() throws Exception {
        try (DemoTimeline timeline = new DemoTimeline(out, false, System.nanoTime())) {
            assertThat(timeline.countdown("countdown", "LIVE", Duration.ZERO)).isCompleted();
            CompletableFuture<Void> zero = timeline.countdown("countdown", "LIVE", Duration.ofSeconds(2));
            zero.get();
        }
        assertThat(text.toString()).containsSubsequence("countdown    LIVE in 2", "countdown    LIVE in 1")
                .doesNotContain("LIVE in 0", "LIVE in 3");
    }

    @Test
    void barAndPercentOfAnEmptyTotalAreFull() {
        assertThat(DemoTimeline.bar(0, 0)).isEqualTo("[" + "#".repeat(30) + "]");
        assertThat(DemoTimeline.percent(0, 0)).isEqualTo("100 %");
        assertThat(DemoTimeline.percent(1999, 2000)).isEqualTo("99 %");
    }
}
