package io.kafkaolr.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.ops.OpsServer;
import io.kafkaolr.runtime.OlrProcessor;
import io.kafkaolr.serde.RecordCodec;
import io.kafkaolr.serde.RecordFormat;
import io.kafkaolr.topology.TopologyConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
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
 * the instance's readiness, a model's row once it learned, and its chart growing as it learns more;
 * after a restart, the curve read back from the metrics topic; the axes of a chart of one point
 * and of many; a chart without points. Those charts are saved as PNGs in
 * {@code target/status-screenshots/}, to be looked at.
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

    @Test
    void afterARestartTheChartShowsTheHistoryFromTheMetricsTopicAndOnePointOrNoneSensibly(
            @TempDir final Path browserProfile) throws Exception {
        requireBrowser();
        final OlrConfig config = KafkaFixture.config(broker, dir.resolve("state-restart"), Map.of("olr.http.port", "0",
                "olr.metrics.interval.ms", "200", "olr.topic.metrics", "metrics-" + UUID.randomUUID()));
        final TopologyConfig t = config.topologyConfig();
        KafkaFixture.createTopics(broker, config);
        final RecordCodec<LabeledExample> codec = RecordFormat.AVRO.codec(LabeledExample.class);
        final String learned = "learned before the restart";
        final int batches = 4;
        final int batch = 10;

        // the first life of the processor: the model learns in four steps, each published to the metrics topic
        try (OlrProcessor first = OlrProcessor.start(config, broker.bootstrapServers());
             KafkaProducer<byte[], byte[]> producer = KafkaFixture.producer(broker);
             KafkaConsumer<byte[], byte[]> metrics = KafkaFixture.consumer(broker, t.metrics().topic())) {
            assertTrue(first.awaitRunning(TIMEOUT), "processor running");
            final List<ConsumerRecord<byte[], byte[]>> published = new ArrayList<>();
            for (int b = 1; b <= batches; b++) {
                KafkaFixture.send(producer, t.examplesTopic(), examples(t, codec, learned, (b - 1) * batch, batch));
                final long version = (long) b * batch;
                KafkaFixture.pollUntil(metrics, published, () -> published.stream()
                        .map(r -> t.progressiveMetrics().decode(r.value()))
                        .anyMatch(m -> m.getModelId().equals(learned) && m.getModelVersion() == version),
                        TIMEOUT, () -> published.size() + " metrics records, none of version " + version);
            }
        }
        final long restartedAt = System.currentTimeMillis();

        try (OlrProcessor second = OlrProcessor.start(config, broker.bootstrapServers());
             KafkaProducer<byte[], byte[]> producer = KafkaFixture.producer(broker);
             Browser browser = Browser.start(browserProfile)) {
            assertTrue(second.awaitRunning(TIMEOUT), "processor running again");
            final URI uri = second.httpUri().orElseThrow();
            final WebDriver page = browser.driver;
            page.get(uri.resolve("/").toString());
            final JavascriptExecutor js = (JavascriptExecutor) page;
            final WebDriverWait wait = new WebDriverWait(page, TIMEOUT, Duration.ofMillis(100));

            // right after the restart: the model's whole curve, read from the metrics topic
            final By learnedChart = By.cssSelector("[data-chart-model=" + cssString(learned) + "]");
            wait.withMessage(() -> "the chart of " + learned + " with its " + batches + " published points; "
                            + state(page, learnedChart) + ", states " + states(js, learned))
                    .until(d -> points(d, learnedChart) >= batches
                            && "plotted".equals(page.findElement(learnedChart).getDomAttribute("data-state")));
            final URI historyUri = uri.resolve("/models/" + OpsServer.pathSegment(learned) + "/history");
            final JsonNode[] answer = {getJson(historyUri)};
            KafkaFixture.await(() -> {
                answer[0] = getJson(historyUri);
                return !answer[0].get("seeding").asBoolean();
            }, TIMEOUT, () -> "the past of " + learned + " read: " + answer[0]);
            final JsonNode history = answer[0];
            final List<Long> versions = new ArrayList<>();
            history.get("points").forEach(p -> versions.add(p.get("version").asLong()));
            assertTrue(versions.containsAll(List.of(10L, 20L, 30L, 40L)), "each published step: " + history);
            wait.withMessage(() -> "the page plots the history read: " + history + "; plotted " + plotted(js, learned))
                    .until(d -> plotted(js, learned).get(0).size() == versions.size());
            final List<List<Number>> curve = plotted(js, learned);
            final List<Number> times = curve.get(0);
            assertEquals(versions.size(), times.size(), "the page plots the history: " + history);
            for (int i = 1; i < times.size(); i++) {
                assertTrue(times.get(i).doubleValue() > times.get(i - 1).doubleValue(), "time increases: " + times);
                assertTrue(versions.get(i) > versions.get(i - 1), "versions increase: " + versions);
            }
            assertTrue(times.get(0).doubleValue() * 1000 < restartedAt, "points from before the restart: " + times);
            assertEquals(List.of("plotted"), states(js, learned).stream().filter(s -> !s.equals("seeding")).toList(),
                    "never 'no points yet' for a model with a history");
            final double[] x = scale(js, learned, "x");
            final double first = times.get(0).doubleValue();
            final double last = times.get(times.size() - 1).doubleValue();
            assertTrue(x[0] <= first && x[1] >= last, "the time axis " + Arrays.toString(x) + " spans the points " + times);
            assertTrue(x[1] - x[0] <= Math.max(120, last - first) + 1,
                    "the time axis " + Arrays.toString(x) + " spans the points, no more: " + times);
            final double[] y = scale(js, learned, "y");
            assertTrue(curve.get(1).stream().allMatch(v -> v.doubleValue() >= y[0] && v.doubleValue() <= y[1]),
                    "the loss axis " + Arrays.toString(y) + " holds the values " + curve.get(1));
            screenshot(page, "seeded-after-restart.png");

            // a model with one point: a two-minute axis around it, the point drawn, the loss axis around its value
            final String single = "one example";
            final By singleChart = By.cssSelector("[data-chart-model=" + cssString(single) + "]");
            KafkaFixture.send(producer, t.examplesTopic(), examples(t, codec, single, 0, 1));
            wait.withMessage(() -> "a chart of one point for " + single + "; " + state(page, singleChart))
                    .until(d -> points(d, singleChart) == 1
                            && "plotted".equals(page.findElement(singleChart).getDomAttribute("data-state")));
            final List<List<Number>> one = plotted(js, single);
            final double time = one.get(0).get(0).doubleValue();
            final double loss = one.get(1).get(0).doubleValue();
            final double[] oneX = scale(js, single, "x");
            assertTrue(oneX[0] < time && time < oneX[1], "the time axis " + Arrays.toString(oneX) + " holds " + time);
            assertTrue(oneX[1] - oneX[0] <= 3600 && oneX[1] - oneX[0] >= 60,
                    "a time axis of a minute to an hour around one point, not years: " + Arrays.toString(oneX)
                            + " (" + (oneX[1] - oneX[0]) / 86_400 + " days)");
            final double[] oneY = scale(js, single, "y");
            assertTrue(oneY[0] < loss && loss < oneY[1] && oneY[1] - oneY[0] <= Math.max(1, loss),
                    "the loss axis " + Arrays.toString(oneY) + " around " + loss);
            @SuppressWarnings("unchecked")
            final List<Number> pixel = (List<Number>) js.executeScript("""
                    var u = window.kafkaOlrStatus.plot(arguments[0]);
                    var x = Math.round(u.valToPos(u.data[0][0], 'x', true));
                    var y = Math.round(u.valToPos(u.data[1][0], 'y', true));
                    return Array.from(u.ctx.getImageData(x, y, 1, 1).data);""", single);
            assertTrue(pixel.get(3).intValue() > 200 && pixel.get(2).intValue() > pixel.get(0).intValue() + 100,
                    "a blue marker where the point is (RGBA " + pixel + ")");
            screenshot(page, "one-point.png");

            // no points: a message and no axes; "no points yet" only once the server read the model's past
            final String noHistory = "{\"points\": [], \"seeding\": %s}";
            js.executeScript("""
                    var suffix = '/models/' + encodeURIComponent(arguments[0]) + '/history';
                    var realFetch = window.fetch;
                    window.olrTestHistory = arguments[1];
                    window.fetch = function (path, init) {
                      return String(path).endsWith(suffix)
                        ? Promise.resolve(new Response(window.olrTestHistory, { status: 200 }))
                        : realFetch(path, init);
                    };""", single, String.format(Locale.ROOT, noHistory, "true"));
            KafkaFixture.send(producer, t.examplesTopic(), examples(t, codec, single, 1, 1)); // a new version: asked again
            wait.withMessage(() -> "the chart of " + single + " waiting for its past; " + state(page, singleChart))
                    .until(d -> "seeding".equals(d.findElement(singleChart).getDomAttribute("data-state")));
            assertTrue(text(page, singleChart).contains("Reading the model\u2019s history"), text(page, singleChart));
            assertTrue(page.findElement(singleChart).findElements(By.tagName("canvas")).isEmpty(), "no axes without points");
            screenshot(page, "no-points-seeding.png");
            js.executeScript("window.olrTestHistory = arguments[0]", String.format(Locale.ROOT, noHistory, "false"));
            wait.withMessage(() -> "the chart of " + single + " without points; " + state(page, singleChart))
                    .until(d -> "empty".equals(d.findElement(singleChart).getDomAttribute("data-state")));
            assertTrue(text(page, singleChart).contains("No points yet"), text(page, singleChart));
            assertTrue(page.findElement(singleChart).findElements(By.tagName("canvas")).isEmpty(), "no axes without points");
            assertEquals("0", page.findElement(singleChart).getDomAttribute("data-points"));
            screenshot(page, "no-points.png");
        }
    }

    private static JsonNode getJson(final URI uri) {
        try {
            final HttpResponse<byte[]> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
            return new ObjectMapper().readTree(response.body());
        } catch (final java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The range of a model's chart's scale {@code key} ("x": seconds, "y": log loss). */
    @SuppressWarnings("unchecked")
    private static double[] scale(final JavascriptExecutor js, final String model, final String key) {
        final List<Number> range = (List<Number>) js.executeScript("var s = window.kafkaOlrStatus.plot(arguments[0])"
                + ".scales[arguments[1]]; return [s.min, s.max];", model, key);
        return new double[] {range.get(0).doubleValue(), range.get(1).doubleValue()};
    }

    @SuppressWarnings("unchecked")
    private static List<String> states(final JavascriptExecutor js, final String model) {
        final Object states = js.executeScript("var status = window.kafkaOlrStatus;"
                + " return status.states ? status.states(arguments[0]) : null", model);
        return states == null ? List.of() : (List<String>) states;
    }

    /** A chart's state and points, for messages. */
    private static String state(final WebDriver page, final By chart) {
        final List<WebElement> charts = page.findElements(chart);
        return charts.isEmpty() ? "no chart" : "state " + charts.get(0).getDomAttribute("data-state") + ", "
                + charts.get(0).getDomAttribute("data-points") + " points";
    }

    /** Saves what the page shows to target/status-screenshots/{@code name}. */
    private static void screenshot(final WebDriver page, final String name) throws Exception {
        final Path shots = Path.of("target", "status-screenshots");
        Files.createDirectories(shots);
        Files.write(shots.resolve(name), ((ChromeDriver) page).getScreenshotAs(OutputType.BYTES));
    }

    private static List<List<Number>> plotted(final JavascriptExecutor js) {
        return plotted(js, MODEL);
    }

    @SuppressWarnings("unchecked")
    private static List<List<Number>> plotted(final JavascriptExecutor js, final String model) {
        final Object data = js.executeScript("return window.kafkaOlrStatus.plotted(arguments[0])", model);
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
