package io.kickoff.browser.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kickoff.browser.Chromium;
import io.kickoff.browser.DevicePage;
import io.kickoff.browser.TestPages;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

/** The SDK's logic (backoff, seqs, Retry-After, cache, acks, fetches, viewing signals) in the browser, against fakes. */
@ExtendWith(Chromium.class)
class SdkUnitIT {
    TestPages pages;

    @AfterEach
    void stop() {
        if (pages != null) {
            pages.close();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyUnitTestOfTheSdkPasses(Chromium.Browsers browsers) throws Exception {
        pages = TestPages.sdk();
        WebDriver page = browsers.open();
        page.get(pages.page("unit.html"));
        await().atMost(DevicePage.WITHIN).until(() -> page.getTitle().equals("sdk unit done"));
        List<Map<String, Object>> results = (List<Map<String, Object>>) ((JavascriptExecutor) page)
                .executeScript("return window.unitResults");
        assertThat(results).hasSizeGreaterThanOrEqualTo(21);
        assertThat(results).allSatisfy(r -> assertThat(r.get("ok")).as(r.get("name") + ": " + r.get("message")).isEqualTo(true));
    }
}
