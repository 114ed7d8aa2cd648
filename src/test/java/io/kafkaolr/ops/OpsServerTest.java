package io.kafkaolr.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.serde.RecordFormat;
import io.kafkaolr.topology.ModelDirectory;
import io.kafkaolr.topology.OlrTopology;
import io.kafkaolr.topology.TopologyConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The endpoint's behaviour that needs no running processor: readiness before start, the
 * refusals, paths. A Kafka Streams client that is created but not started never connects.
 */
class OpsServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path stateDir;

    private KafkaStreams streams;
    private OpsServer server;
    private TopologyConfig config;

    @BeforeEach
    void createButDoNotStart() throws Exception {
        config = TopologyConfig.defaults("olr-ops-test", RecordFormat.AVRO,
                ModelSettings.binary(0.5, io.kafkaolr.core.LearningRateSchedule.CONSTANT));
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "olr-ops-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        server = OpsServer.bind("127.0.0.1", 0, "", "", 1 << 20);
        props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, server.applicationServer());
        final ModelDirectory directory = new ModelDirectory();
        streams = new KafkaStreams(OlrTopology.build(config, directory), props);
        server.start(streams, directory, config, Map.of("bootstrap.servers", "127.0.0.1:1"));
    }

    @AfterEach
    void close() {
        server.close();
        streams.close();
    }

    private HttpResponse<String> send(final String method, final String path, final String body) throws Exception {
        final HttpRequest request = HttpRequest.newBuilder(server.uri().resolve(path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (final java.io.IOException e) {
            // once in several runs the client reuses a kept-alive connection as the server closes it
            // and reads no answer ("header parser received no bytes"); it retries only GETs itself.
            // A second attempt takes a new connection; what is asserted is the answer.
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        }
    }

    private JsonNode json(final HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    @Test
    void notReadyUntilRunningButHealthyWhileStarting() throws Exception {
        final HttpResponse<String> ready = send("GET", "/ready", null);
        assertEquals(503, ready.statusCode());
        assertEquals("CREATED", json(ready).get("state").asText());
        assertEquals(false, json(ready).get("ready").asBoolean());
        assertEquals(200, send("GET", "/health", null).statusCode());
        assertEquals(List.of("application/json"), ready.headers().allValues("Content-Type"));
    }

    @Test
    void bindsLoopbackAndAdvertisesItsAddress() {
        final URI uri = server.uri();
        assertEquals("127.0.0.1", uri.getHost());
        assertEquals(server.applicationServer(), uri.getHost() + ":" + uri.getPort());
        assertTrue(uri.getPort() > 0);
    }

    @Test
    void boundToEveryInterfaceItAdvertisesItsHostNameUnlessTold() throws Exception {
        try (OpsServer any = OpsServer.bind("0.0.0.0", 0, "", "", 1 << 20);
             OpsServer told = OpsServer.bind("0.0.0.0", 0, "olr-1.example", "", 1 << 20)) {
            assertEquals(java.net.InetAddress.getLocalHost().getCanonicalHostName(),
                    any.applicationServer().substring(0, any.applicationServer().lastIndexOf(':')));
            assertTrue(told.applicationServer().startsWith("olr-1.example:"));
        }
    }

    @Test
    void withoutAnAdminTokenModelsCannotBeChanged() throws Exception {
        final HttpResponse<String> delete = send("DELETE", "/models/m", null);
        assertEquals(403, delete.statusCode());
        assertTrue(json(delete).get("error").asText().contains("olr.http.admin-token"));
        assertEquals(403, send("PUT", "/models/m", "{}").statusCode());
        assertEquals(405, send("POST", "/models", "{}").statusCode());
        assertEquals(405, send("DELETE", "/metrics", null).statusCode());
    }

    @Test
    void anImportThatIsNotJsonOrForAnInvalidIdIs400AndOneTooLargeIs413WithoutReachingKafka() throws Exception {
        try (OpsServer admin = OpsServer.bind("127.0.0.1", 0, "", "t0ken", 1000)) {
            admin.start(streams, new ModelDirectory(), config, Map.of("bootstrap.servers", "127.0.0.1:1"));
            final java.util.function.BiFunction<String, HttpRequest.BodyPublisher, HttpResponse<String>> put =
                    (path, body) -> {
                        try {
                            return http.send(HttpRequest.newBuilder(admin.uri().resolve(path))
                                    .header("Authorization", "Bearer t0ken").PUT(body).build(),
                                    HttpResponse.BodyHandlers.ofString());
                        } catch (final Exception e) {
                            throw new AssertionError(path, e);
                        }
                    };
            final HttpResponse<String> broken = put.apply("/models/m", HttpRequest.BodyPublishers.ofString("{\"state\": ["));
            assertEquals(400, broken.statusCode(), broken.body());
            assertTrue(json(broken).get("error").asText().contains("not JSON"), broken.body());
            final HttpResponse<String> large = put.apply("/models/m",
                    HttpRequest.BodyPublishers.ofString("{\"state\":\"" + "A".repeat(1000) + "\"}"));
            assertEquals(413, large.statusCode(), large.body());
            assertTrue(json(large).get("error").asText().contains("olr model import"), large.body());
            // without a declared length (chunked), the limit holds as the body is read
            final HttpResponse<String> chunked = put.apply("/models/m", HttpRequest.BodyPublishers.ofInputStream(
                    () -> new java.io.ByteArrayInputStream(("{\"state\":\"" + "A".repeat(5000) + "\"}")
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8))));
            assertEquals(413, chunked.statusCode(), chunked.body());
            final HttpResponse<String> tooLong = put.apply("/models/" + "m".repeat(201),
                    HttpRequest.BodyPublishers.ofString("{}"));
            assertEquals(400, tooLong.statusCode(), tooLong.body());
            assertTrue(json(tooLong).get("error").asText().contains("longer than 200 bytes"), tooLong.body());
            // a NUL in a path is refused by the HTTP server itself, before any route: still 400, in JSON
            final HttpResponse<String> nul = put.apply("/models/a%00b", HttpRequest.BodyPublishers.ofString("{}"));
            assertEquals(400, nul.statusCode(), nul.body());
            assertEquals(List.of("application/json"), nul.headers().allValues("Content-Type"));
            assertTrue(json(nul).get("error").asText().startsWith("HTTP 400"), nul.body());
        }
    }

    @Test
    void unknownPathsAre404AndModelQueriesAre503UntilTheProcessorRuns() throws Exception {
        assertEquals(404, send("GET", "/nope", null).statusCode());
        assertEquals(404, send("GET", "/models/m/nope", null).statusCode());
        assertEquals(404, send("GET", "/status/..%2F..%2Fpom.xml", null).statusCode());
        assertEquals(404, send("GET", "/webjars/uplot/dist/missing.js", null).statusCode());
        final HttpResponse<String> list = send("GET", "/models", null);
        assertEquals(503, list.statusCode(), "not started: no store to query yet");
        assertTrue(json(list).get("error").asText().contains("CREATED"), list.body());
        assertEquals(503, send("GET", "/models/m", null).statusCode(), "where the model is is not known yet");
    }

    @Test
    void theStatusPageAndItsChartLibraryAreServedFromTheJar() throws Exception {
        final HttpResponse<String> page = send("GET", "/", null);
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        final HttpResponse<String> chart = send("GET", "/webjars/uplot/dist/uPlot.iife.min.js", null);
        assertEquals(200, chart.statusCode());
        assertTrue(chart.body().contains("uPlot"));
    }

    @Test
    void modelIdsArePathSegmentsWhateverTheirCharacters() {
        for (final String id : List.of("a/b", "a b", "a+b", "ü-%", "x?y#z")) {
            assertEquals(List.of("models", id, "weights"),
                    OpsServer.segments("/models/" + OpsServer.pathSegment(id) + "/weights"), id);
        }
    }

    @Test
    void concurrentScrapesWhileModelsComeAndGoAllAnswerWellFormedMetrics() throws Exception {
        // 8 scrapers at once, 40 times; the models change at each scrape: one to three of them, and one more
        // every other scrape (a partition moving). Gauges removed and registered again while another
        // scrape collected them made 78 of these 320 scrapes fail (400 "Duplicate labels", or m0 missing).
        final java.util.concurrent.atomic.AtomicInteger scrapes = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.function.Supplier<List<OpsMetrics.ModelValue>> values = () -> {
            final int n = scrapes.incrementAndGet();
            final List<OpsMetrics.ModelValue> out = new java.util.ArrayList<>();
            for (int m = 0; m <= n % 3; m++) {
                final io.micrometer.core.instrument.Tags tags = io.micrometer.core.instrument.Tags.of("model", "m" + m);
                out.add(new OpsMetrics.ModelValue(OpsMetrics.EXAMPLES, tags, n));
                out.add(new OpsMetrics.ModelValue(OpsMetrics.VERSION, tags.and("side", "training"), n));
                out.add(new OpsMetrics.ModelValue(OpsMetrics.LOG_LOSS, tags, 0.5));
            }
            if (n % 2 == 0) {
                out.add(new OpsMetrics.ModelValue(OpsMetrics.EXAMPLES,
                        io.micrometer.core.instrument.Tags.of("model", "moving"), n));
            }
            return out;
        };
        final java.util.regex.Pattern sample = java.util.regex.Pattern.compile(
                "^([a-zA-Z_:][a-zA-Z0-9_:]*(\\{[^}]*})?) (\\S+)$");
        try (OpsServer metricsServer = OpsServer.bind("127.0.0.1", 0, "", "", 1 << 20)) {
            metricsServer.start(streams, new ModelDirectory(), config, Map.of("bootstrap.servers", "127.0.0.1:1"),
                    values);
            final java.util.concurrent.ExecutorService scrapers = java.util.concurrent.Executors.newFixedThreadPool(8);
            final List<String> failures = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            int answers = 0;
            try {
                for (int round = 0; round < 40; round++) {
                    final List<java.util.concurrent.Future<HttpResponse<String>>> inFlight = new java.util.ArrayList<>();
                    for (int t = 0; t < 8; t++) {
                        inFlight.add(scrapers.submit(() -> http.send(HttpRequest.newBuilder(
                                metricsServer.uri().resolve("/metrics")).timeout(java.time.Duration.ofSeconds(20))
                                .build(), HttpResponse.BodyHandlers.ofString())));
                    }
                    for (final java.util.concurrent.Future<HttpResponse<String>> f : inFlight) {
                        final HttpResponse<String> response = f.get(30, java.util.concurrent.TimeUnit.SECONDS);
                        answers++;
                        if (response.statusCode() != 200) {
                            failures.add(response.statusCode() + " " + response.body());
                            continue;
                        }
                        final java.util.Set<String> series = new java.util.HashSet<>();
                        for (final String line : response.body().split("\n")) {
                            if (line.isEmpty() || line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                                continue;
                            }
                            final java.util.regex.Matcher m = sample.matcher(line);
                            if (!m.matches() || !series.add(m.group(1))) {
                                failures.add("malformed or repeated: " + line);
                            }
                        }
                        if (!series.contains("olr_model_examples{model=\"m0\"}")) {
                            failures.add("no olr_model_examples of m0");
                        }
                    }
                }
            } finally {
                scrapers.shutdownNow();
            }
            System.out.println("concurrent /metrics: " + failures.size() + " failures of " + answers + " scrapes");
            assertEquals(List.of(), failures.subList(0, Math.min(5, failures.size())),
                    failures.size() + " of " + answers + " scrapes failed");
        }
    }

    /** A GET on a new connection, as a health checker makes it: the status, and how long the answer took (ms). */
    private static long[] probe(final URI base, final String path) throws Exception {
        final long start = System.nanoTime();
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress(base.getHost(), base.getPort()), 2000);
            socket.setSoTimeout(2000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + base.getHost()
                    + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            final String answer;
            try {
                answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            } catch (final java.net.SocketTimeoutException e) {
                return new long[] {-1, (System.nanoTime() - start) / 1_000_000};
            }
            final long status = answer.startsWith("HTTP/1.1 ") ? Long.parseLong(answer.substring(9, 12)) : -1;
            return new long[] {status, (System.nanoTime() - start) / 1_000_000};
        }
    }

    @Test
    void healthAndReadyAnswerWithin100MillisecondsWhile100ClientsHoldPartialHeaders() throws Exception {
        final URI base = server.uri();
        assertEquals(200, probe(base, "/health")[0]); // warmed up
        assertEquals(503, probe(base, "/ready")[0]);
        final List<java.net.Socket> slow = new java.util.ArrayList<>();
        final List<Long> latencies = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 120; i++) {
                final java.net.Socket socket = new java.net.Socket();
                socket.connect(new java.net.InetSocketAddress(base.getHost(), base.getPort()), 2000);
                slow.add(socket);
                if (i < 100) { // a request line and half a header, never finished; the other 20 say nothing
                    socket.getOutputStream().write(("GET /health HTTP/1.1\r\nHost: " + base.getHost()
                            + "\r\nX-Slow: ").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    socket.getOutputStream().flush();
                }
            }
            final long ioThreads = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("olr-http-io")).count();
            assertTrue(ioThreads <= 8, ioThreads + " threads of the HTTP server's own, for 120 sockets");
            for (int round = 0; round < 5; round++) {
                for (final String path : List.of("/health", "/ready")) {
                    final long[] answer = probe(base, path);
                    assertEquals(path.equals("/health") ? 200 : 503, answer[0],
                            path + " answered while 120 sockets are open (-1: no answer in 2 s)");
                    latencies.add(answer[1]);
                }
            }
        } finally {
            for (final java.net.Socket socket : slow) {
                socket.close();
            }
            System.out.println("/health and /ready with 100 partial headers and 20 silent sockets open, ms: " + latencies);
        }
        assertTrue(latencies.stream().allMatch(ms -> ms < 100), "each answer within 100 ms: " + latencies);
    }
}
