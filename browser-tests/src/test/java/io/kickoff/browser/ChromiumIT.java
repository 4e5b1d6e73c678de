package io.kickoff.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kickoff.http.StaticAssets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;

/** The browser set-up itself: a page served by {@link StaticAssets} runs its module script in Chromium. */
@ExtendWith(Chromium.class)
class ChromiumIT {
    @Test
    void aStaticPageRunsItsModuleScriptAndReadsItsGeneratedConfig(Chromium.Browsers browsers) throws Exception {
        StaticAssets assets = StaticAssets.builder("/page/").classpath("smoke-page/")
                .document("config.json", "application/json", () -> "{\"greeting\":\"hello from config\"}")
                .build();
        try (TestPages pages = new TestPages("/page/", assets)) {
            WebDriver page = browsers.open();
            page.get(pages.page(""));

            await().atMost(Duration.ofSeconds(20))
                    .until(() -> page.findElement(By.id("out")).getText(), text -> text.equals("hello from config"));
            assertThat(page.getTitle()).isEqualTo("smoke");
        }
    }
}
