package dev.caravan.admin;

import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The HTML status page in a real browser (Debian's chromium, driven by chromedriver through Selenium, headless): what a
 * person sees — the routes, both backends up, the request count — and, without touching the browser, the page
 * refreshing itself to show a backend down after it was stopped. Saves a screenshot as
 * {@code target/status-page.png}. Skipped (with a message) where chromium or chromedriver is not installed; CI
 * installs both ({@code .ci/run}).
 */
class StatusPageBrowserTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @TempDir
    Path temp;

    @Test
    void aStoppedBackendShowsDownOnTheSelfRefreshingPage() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "status page browser test skipped: needs Debian's chromium and chromium-driver"
                        + " (apt-get install -y chromium chromium-driver), as .ci/run installs them");
        TestBackend b = TestBackend.start("shop-b"); // stopped by the test
        try (TestBackend a = TestBackend.start("shop-a")) {
            Path routes = Files.createDirectories(temp.resolve("routes"));
            Files.writeString(routes.resolve("shop.yaml"), """
                    - route:
                        id: shop
                        from:
                          uri: caravan:http?path=/shop
                          steps:
                            - to: "caravan-forward:%s,%s?stripPrefix=/shop&healthPath=/status/200&healthInterval=200&unhealthyThreshold=2"
                    """.formatted(a.url(), b.url()));
            try (RunningGateway gateway = RunningGateway.start(routes, Map.of("caravan.admin.statusRefresh", "1",
                    "caravan.https.enabled", "false"))) {
                for (int i = 0; i < 6; i++) {
                    assertEquals(200, gateway.get("/shop/x").status());
                }
                WebDriver browser = chromium();
                try {
                    browser.get("http://127.0.0.1:" + gateway.adminPort() + "/");
                    assertEquals("Caravan status", browser.getTitle());
                    assertEquals("ready", browser.findElement(By.cssSelector("#readiness .state")).getText());
                    assertEquals("UP", stateOf(browser, a.url()));
                    assertEquals("UP", stateOf(browser, b.url()));
                    WebElement route = browser.findElement(By.cssSelector("tr[data-route='shop']"));
                    assertTrue(route.getText().contains("/shop"), route.getText());
                    assertTrue(route.getText().contains(a.url()) && route.getText().contains(b.url()));
                    assertEquals("6", browser.findElement(By.id("requests")).getText());

                    b.close();
                    // no reload from here: the page refreshes itself every second
                    new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> "DOWN".equals(stateOf(d, b.url())));
                    assertEquals("UP", stateOf(browser, a.url()));
                    assertEquals("ready", browser.findElement(By.cssSelector("#readiness .state")).getText(),
                            "one backend of the pool is still up");
                    File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
                    Path saved = Path.of("target", "status-page.png");
                    Files.copy(shot.toPath(), saved, StandardCopyOption.REPLACE_EXISTING);
                    assertTrue(Files.size(saved) > 1000);
                } finally {
                    browser.quit();
                }
            }
        }
    }

    private static String stateOf(WebDriver browser, String origin) {
        try {
            return browser.findElement(By.cssSelector("tr[data-backend='" + origin + "'] .state")).getText();
        } catch (org.openqa.selenium.NoSuchElementException | org.openqa.selenium.StaleElementReferenceException e) {
            return null; // between two refreshes
        }
    }

    static WebDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1280,900");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }
}
