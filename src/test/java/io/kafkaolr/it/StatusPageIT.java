package io.kafkaolr.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.runtime.OlrProcessor;
import io.kafkaolr.serde.RecordCodec;
import io.kafkaolr.serde.RecordFormat;
import io.kafkaolr.topology.TopologyConfig;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The status page served at {@code /}, in a real headless Chromium against a running processor:
 * the instance's readiness, a model's row once it learned, and its chart growing as it learns more.
 *
 * <p>Needs Debian's {@code chromium} and {@code chromedriver}; skipped without them, unless
 * {@code -Dolr.browser.required=true} (CI), which makes their absence a failure. No driver or
 * browser is ever downloaded: both paths are given to Selenium. With
 * {@code -Dolr.status.screenshot=FILE} the test saves a PNG of the page with its data.
 */
class StatusPageIT extends BrokerIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /** Markup and an ampersand in the id: the page must show it as text, and URL-encode it. */
    private static final String MODEL = "page <b>m</b> & co";

    @Test
    void showsReadinessAndAModelsCountersAndChartAsItLearns(@TempDir final Path browserProfile) throws Exception {
        requireBrowser();
        final OlrConfig config = KafkaFixture.config(broker, dir.resolve("state"), Map.of("olr.http.port", "0"));
        final TopologyConfig t = config.topologyConfig();
        KafkaFixture.createTopics(broker, config);
        final RecordCodec<LabeledExample> examples = RecordFormat.AVRO.codec(LabeledExample.class);

        try (OlrProcessor processor = OlrProcessor.start(config, broker.bootstrapServers());
             KafkaProducer<byte[], byte[]> producer = KafkaFixture.producer(broker);
             Browser browser = Browser.start(browserProfile)) {
            assertTrue(processor.awaitRunning(TIMEOUT), "processor running");
            final URI uri = processor.httpUri().orElseThrow(() -> new AssertionError("olr.http.port=0 serves HTTP"));
            final WebDriver page = browser.driver;
            page.get(uri.resolve("/").toString());
            final JavascriptExecutor js = (JavascriptExecutor) page;
            js.executeScript("performance.setResourceTimingBufferSize(100000)"); // every request counted below
            final WebDriverWait wait = new WebDriverWait(page, TIMEOUT, Duration.ofMillis(100));

            wait.withMessage(() -> "readiness shown as RUNNING; #ready says '" + text(page, By.id("ready")) + "'")
                    .until(d -> "true".equals(d.findElement(By.id("ready")).getDomAttribute("data-ready"))
                            && d.findElement(By.id("ready")).getText().contains("RUNNING"));
            assertEquals("function", js.executeScript("return typeof uPlot"), "uPlot loaded from the jar");
            @SuppressWarnings("unchecked")
            final List<String> loaded = (List<String>) js.executeScript(
                    "return performance.getEntriesByType('resource').map(function (e) { return e.name; })");
            final String origin = uri.getScheme() + "://" + uri.getAuthority() + "/";
            assertTrue(loaded.stream().allMatch(u -> u.startsWith(origin)), "only same-origin resources: " + loaded);

            final By row = By.cssSelector("tr[data-model-id=" + cssString(MODEL) + "]");
            final By chart = By.cssSelector("[data-chart-model=" + cssString(MODEL) + "]");
            sendExamples(producer, t, examples, 0, 40);
            wait.withMessage(() -> "row of " + MODEL + " at version 40; row: " + text(page, row))
                    .until(d -> cellNumber(d, row, "version") == 40 && cellNumber(d, row, "examples") == 40);
            final WebElement modelRow = page.findElement(row);
            assertEquals(MODEL, cell(modelRow, "id").getText(), "the id shown as text");
            assertTrue(modelRow.findElements(By.tagName("b")).isEmpty(), "no markup from the id");
            assertEquals("binary", cell(modelRow, "type").getText());
            assertEquals("0, 1", cell(modelRow, "classes").getText());
            wait.withMessage(() -> "served version 40; row: " + text(page, row))
                    .until(d -> cellNumber(d, row, "served") == 40);

            wait.withMessage(() -> "a point in the chart of " + MODEL)
                    .until(d -> points(d, chart) >= 1);
            final int before = points(page, chart);

            sendExamples(producer, t, examples, 40, 40);
            wait.withMessage(() -> "row at version 80 and the chart past " + before + " points; row: " + text(page, row)
                            + ", points " + points(page, chart))
                    .until(d -> cellNumber(d, row, "version") == 80 && points(d, chart) > before);

            // what the chart plots: one point per history sample, in time order, ending at the table's loss
            wait.withMessage(() -> "the chart's last point equal to the table's loss; row: " + text(page, row)
                            + ", plotted " + plotted(js))
                    .until(d -> {
                        final List<List<Number>> data = plotted(js);
                        final List<Number> loss = data.get(1);
                        return !loss.isEmpty() && String.format(Locale.ROOT, "%.4f",
                                loss.get(loss.size() - 1).doubleValue()).equals(cellText(d, row, "loss"));
                    });
            final List<List<Number>> data = plotted(js);
            final List<Number> times = data.get(0);
            final List<Number> loss = data.get(1);
            assertEquals(points(page, chart), times.size(), "data-points is what is plotted");
            assertEquals(times.size(), loss.size());
            for (int i = 1; i < times.size(); i++) {
                assertTrue(times.get(i).doubleValue() > times.get(i - 1).doubleValue(), "time increases: " + times);
            }
            assertTrue(loss.stream().allMatch(v -> v != null && v.doubleValue() > 0 && v.doubleValue() < 10),
                    "finite positive log losses: " + loss);

            // the model idle and charted: the page goes on polling the list, but asks for no more history
            final long historyRequests = historyRequests(js);
            final String[] shown = {text(page, By.id("updated"))};
            final int[] polls = {0};
            wait.withMessage(() -> "three more polls of the page; #updated says '" + text(page, By.id("updated")) + "'")
                    .until(d -> {
                        final String now = text(d, By.id("updated"));
                        if (!now.equals(shown[0])) {
                            shown[0] = now;
                            polls[0]++;
                        }
                        return polls[0] >= 3;
                    });
            assertEquals(historyRequests, historyRequests(js), "no history request for a model whose version is charted");
            assertTrue(historyRequests > 0);

            final String screenshot = System.getProperty("olr.status.screenshot", "");
            if (!screenshot.isEmpty()) {
                Files.write(Path.of(screenshot), ((ChromeDriver) page).getScreenshotAs(OutputType.BYTES));
            }
        }
    }

    /** Skips without a browser, or fails when {@code olr.browser.required} is true. */
    private static void requireBrowser() {
        if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) {
            return;
        }
        final String missing = "the status page's browser test needs " + CHROMIUM + " and " + CHROMEDRIVER
                + " (Debian: apt-get install chromium chromium-driver)";
        if (Boolean.getBoolean("olr.browser.required")) {
            fail(missing + "; olr.browser.required=true");
        }
        Assumptions.abort(missing + "; skipped (set -Dolr.browser.required=true to fail instead)");
    }

    private static void sendExamples(final KafkaProducer<byte[], byte[]> producer, final TopologyConfig t,
                                     final RecordCodec<LabeledExample> codec, final int from, final int count)
            throws Exception {
        KafkaFixture.send(producer, t.examplesTopic(), examples(t, codec, MODEL, from, count));
    }

    private static List<ProducerRecord<byte[], byte[]>> examples(final TopologyConfig t,
                                                                  final RecordCodec<LabeledExample> codec,
                                                                  final String model, final int from, final int count) {
        final List<ProducerRecord<byte[], byte[]>> batch = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            final boolean positive = i % 2 == 0;
            batch.add(new ProducerRecord<>(t.examplesTopic(), model.getBytes(StandardCharsets.UTF_8),
                    codec.encode(LabeledExample.newBuilder().setModelId(model)
                            .setNumericFeatures(Map.of("x", positive ? 1.0 : -1.0, "noise", (i % 5) / 5.0))
                            .setLabel(positive ? "1" : "0").build())));
        }
        return batch;
    }

    /** Waits until the page shows that it polled once more. */
    private static void awaitPoll(final WebDriver page, final WebDriverWait wait) {
        final String before = text(page, By.id("updated"));
        wait.withMessage(() -> "one more poll; #updated says '" + text(page, By.id("updated")) + "'")
                .until(d -> !text(d, By.id("updated")).equals(before));
    }

    /**
     * The most history requests one poll made (a poll is a request for /models and the history
     * requests after it, before the next poll's), and the number of polls.
     */
    @SuppressWarnings("unchecked")
    private static List<Number> historyRequestsPerPoll(final JavascriptExecutor js) {
        return (List<Number>) js.executeScript("""
                var entries = performance.getEntriesByType('resource').slice()
                    .sort(function (a, b) { return a.startTime - b.startTime; });
                var most = 0, current = 0, polls = 0;
                entries.forEach(function (e) {
                  var path = new URL(e.name).pathname;
                  if (path === '/models') {
                    most = Math.max(most, current);
                    current = 0;
                    polls++;
                  } else if (path.endsWith('/history')) {
                    current++;
                  }
                });
                return [Math.max(most, current), polls];""");
    }

    @Test
    void withMoreModelsThanChartsItChartsTwelveAndAsksHistoryOfNoOther(@TempDir final Path browserProfile)
            throws Exception {
        requireBrowser();
        final OlrConfig config = KafkaFixture.config(broker, dir.resolve("state-many"), Map.of("olr.http.port", "0"));
        final TopologyConfig t = config.topologyConfig();
        KafkaFixture.createTopics(broker, config);
        final RecordCodec<LabeledExample> codec = RecordFormat.AVRO.codec(LabeledExample.class);
        final int models = 16;
        try (OlrProcessor processor = OlrProcessor.start(config, broker.bootstrapServers());
             KafkaProducer<byte[], byte[]> producer = KafkaFixture.producer(broker);
             Browser browser = Browser.start(browserProfile)) {
            assertTrue(processor.awaitRunning(TIMEOUT), "processor running");
            final WebDriver page = browser.driver;
            page.get(processor.httpUri().orElseThrow().resolve("/").toString());
            final JavascriptExecutor js = (JavascriptExecutor) page;
            js.executeScript("performance.setResourceTimingBufferSize(100000)");
            final WebDriverWait wait = new WebDriverWait(page, TIMEOUT, Duration.ofMillis(100));
            final long cap = ((Number) js.executeScript("return window.kafkaOlrStatus.maxCharts")).longValue();
            assertEquals(12, cap);

            // 16 models learn together, poll after poll: each poll may see all their versions move
            for (int round = 0; round < 6; round++) {
                final List<ProducerRecord<byte[], byte[]>> batch = new ArrayList<>();
                for (int m = 0; m < models; m++) {
                    batch.addAll(examples(t, codec, String.format(Locale.ROOT, "many-%02d", m), 2 * round, 2));
                }
                KafkaFixture.send(producer, t.examplesTopic(), batch);
                awaitPoll(page, wait);
            }
            final By rows = By.cssSelector("tbody tr[data-model-id]");
            final By charts = By.cssSelector("[data-chart-model]");
            wait.withMessage(() -> "16 rows at version 12 and 12 charts with points; rows "
                            + page.findElements(rows).size() + ", charts " + page.findElements(charts).size())
                    .until(d -> d.findElements(rows).size() == models
                            && d.findElements(rows).stream().allMatch(r -> cell(r, "version").getText().equals("12"))
                            && d.findElements(charts).size() == cap
                            && d.findElements(charts).stream().allMatch(c -> !"0".equals(c.getDomAttribute("data-points"))));
            awaitPoll(page, wait);
            final List<Number> perPoll = historyRequestsPerPoll(js);
            System.out.println("history requests per poll with 16 learning models: at most " + perPoll.get(0)
                    + " in " + perPoll.get(1) + " polls");
            assertTrue(perPoll.get(0).longValue() <= cap, "at most one history request per chart a poll: " + perPoll);
            assertEquals(cap, page.findElements(By.cssSelector("tr[data-charted=true]")).size());
            assertTrue(text(page, By.id("chart-note")).startsWith("Charts of 12 of 16 models"),
                    text(page, By.id("chart-note")));

            // ticking a model without a chart charts it, in place of another: still 12
            final WebElement unchartedRow = page.findElement(By.cssSelector("tr[data-charted=false]"));
            final String ticked = unchartedRow.getDomAttribute("data-model-id");
            unchartedRow.findElement(By.cssSelector("td.pin input")).click();
            final By tickedChart = By.cssSelector("[data-chart-model=" + cssString(ticked) + "]");
            wait.withMessage(() -> "a chart with points for the ticked " + ticked + "; charts "
                            + page.findElements(charts).size())
                    .until(d -> points(d, tickedChart) > 0 && d.findElements(charts).size() == cap);
            assertEquals("true", page.findElement(By.cssSelector("tr[data-model-id=" + cssString(ticked) + "]"))
                    .getDomAttribute("data-charted"));
        }
    }

    @SuppressWarnings("unchecked")
    private static List<List<Number>> plotted(final JavascriptExecutor js) {
        final Object data = js.executeScript("return window.kafkaOlrStatus.plotted(arguments[0])", MODEL);
        return data == null ? List.of(List.of(), List.of()) : (List<List<Number>>) data;
    }

    private static WebElement cell(final WebElement row, final String column) {
        return row.findElement(By.cssSelector("td." + column));
    }

    /** A cell's text, or "" while the row is not there. */
    private static String cellText(final WebDriver page, final By row, final String column) {
        final List<WebElement> rows = page.findElements(row);
        return rows.isEmpty() ? "" : cell(rows.get(0), column).getText();
    }

    /** A counter cell ("1,234") as a number; -1 while the row is not there or the cell shows no number. */
    private static long cellNumber(final WebDriver page, final By row, final String column) {
        final String value = cellText(page, row, column).replace(",", "");
        return value.matches("\\d+") ? Long.parseLong(value) : -1;
    }

    private static int points(final WebDriver page, final By chart) {
        final List<WebElement> charts = page.findElements(chart);
        return charts.isEmpty() ? -1 : Integer.parseInt(charts.get(0).getDomAttribute("data-points"));
    }

    private static long historyRequests(final JavascriptExecutor js) {
        return ((Number) js.executeScript("return performance.getEntriesByType('resource')"
                + ".filter(function (e) { return e.name.indexOf('/history') >= 0; }).length")).longValue();
    }

    private static String text(final WebDriver page, final By element) {
        try {
            return page.findElement(element).getText();
        } catch (final NoSuchElementException e) {
            return "(absent)";
        }
    }

    /** A CSS string literal. */
    private static String cssString(final String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /** Headless Chromium through Debian's chromedriver, with a fresh profile; closed with the test. */
    private static final class Browser implements AutoCloseable {
        private final ChromeDriverService service;
        private final ChromeDriver driver;

        private Browser(final ChromeDriverService service, final ChromeDriver driver) {
            this.service = service;
            this.driver = driver;
        }

        static Browser start(final Path profile) {
            final ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
            final ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--user-data-dir=" + profile.toAbsolutePath());
            final ChromeDriver driver;
            try {
                driver = new ChromeDriver(service, options);
            } catch (final RuntimeException e) {
                service.stop();
                throw e;
            }
            driver.manage().window().setSize(new Dimension(1280, 900));
            return new Browser(service, driver);
        }

        @Override
        public void close() {
            try {
                driver.quit();
            } finally {
                service.stop();
            }
        }
    }
}
