package io.kickoff.browser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A real headless Chromium for a test, driven by Selenium through Debian's {@code chromium} and
 * {@code chromium-driver}. A test (or test class) with {@code @ExtendWith(Chromium.class)} takes a {@link Browsers}
 * parameter and opens as many browsers as it needs (each one a separate device or user); they are all quit after the
 * test. Where no browser is installed the tests are skipped with a message saying what to install, so that the
 * project's test command passes on a machine with only a JDK.
 *
 * <p>The driver and browser are taken from {@code KICKOFF_CHROMIUM} / {@code KICKOFF_CHROMEDRIVER}, else from
 * {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver}; nothing is downloaded.
 */
public final class Chromium implements ExecutionCondition, ParameterResolver, AfterEachCallback {
    private static final Path BROWSER = Path.of(Optional.ofNullable(System.getenv("KICKOFF_CHROMIUM")).orElse("/usr/bin/chromium"));
    private static final Path DRIVER = Path.of(Optional.ofNullable(System.getenv("KICKOFF_CHROMEDRIVER")).orElse("/usr/bin/chromedriver"));
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(Chromium.class);
    private static volatile boolean toldSkipped;
    /** Where the tests save the screenshots that docs/images is refreshed from. */
    public static final Path SCREENSHOTS = Path.of("target", "screenshots");

    /** Whether a browser and its driver are installed here. */
    public static boolean installed() {
        return Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER);
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (installed()) {
            return ConditionEvaluationResult.enabled("chromium at " + BROWSER);
        }
        String why = "browser tests SKIPPED: no " + (Files.isExecutable(BROWSER) ? DRIVER : BROWSER)
                + " (install Debian's chromium and chromium-driver: apt-get install -y chromium chromium-driver; .ci/run does)";
        if (!toldSkipped) {
            toldSkipped = true;
            System.err.println("[kickoff] " + why);
        }
        return ConditionEvaluationResult.disabled(why);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Browsers.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getStore(NAMESPACE).getOrComputeIfAbsent(Browsers.class, key -> new Browsers(), Browsers.class);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Browsers browsers = context.getStore(NAMESPACE).remove(Browsers.class, Browsers.class);
        if (browsers != null) {
            browsers.quitAll();
        }
    }

    /** The browsers one test opened. */
    public static final class Browsers {
        private final List<WebDriver> open = new ArrayList<>();

        /** A new headless browser (its own profile, storage and cookies), 1280×900. */
        public synchronized WebDriver open() {
            ChromeOptions options = new ChromeOptions();
            options.setBinary(BROWSER.toFile());
            options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    "--window-size=1280,900", "--no-first-run", "--disable-extensions");
            ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                    .usingAnyFreePort().build();
            ChromeDriver driver = new ChromeDriver(service, options);
            driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
            open.add(driver);
            return driver;
        }

        /**
         * Saves what {@code driver} shows as {@code target/screenshots/NAME} (a PNG), where the screenshots the docs
         * show are taken from.
         */
        public static Path screenshot(WebDriver driver, String name) {
            Path file = SCREENSHOTS.resolve(name);
            try {
                Files.createDirectories(file.toAbsolutePath().getParent());
                Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
                return file;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        synchronized void quitAll() {
            for (WebDriver driver : open) {
                try {
                    driver.quit();
                } catch (RuntimeException ignored) {
                    // a browser that crashed is gone already
                }
            }
            open.clear();
        }
    }
}
