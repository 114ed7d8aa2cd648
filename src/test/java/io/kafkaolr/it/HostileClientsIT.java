package io.kafkaolr.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.serde.RecordCodec;
import io.kafkaolr.serde.RecordFormat;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * {@code olr run} in its own JVM, as an operator runs it, against clients that do what a tester
 * did to it: exports of a wide model that are never read, more of them than allowed, health
 * checks meanwhile, and SIGTERM while an export is being written.
 */
class HostileClientsIT extends BrokerIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** 9 examples of 9,000 features each: some 70,000 rows, an export of about 15 MB. */
    private static final int EXAMPLES = 9;
    private static final int FEATURES = 9_000;
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(20);

    private static Process olrRun(final OlrConfig config, final Path log) throws IOException {
        return KafkaFixture.olrRun(config, "384m", log);
    }

    private static String read(final Path log) {
        return KafkaFixture.read(log);
    }

    /** The endpoint's address once {@code olr run} printed it. */
    private static URI endpoint(final Process child, final Path log) {
        return KafkaFixture.endpoint(child, log, TIMEOUT);
    }

    private static HttpResponse<String> get(final URI base, final String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (final IOException e) {
            throw new AssertionError("GET " + path + ": " + e, e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** An export whose client reads its headers and then nothing: the server blocks once the socket buffers fill. */
    private static Socket stalledExport(final URI base) throws IOException {
        final Socket socket = new Socket();
        socket.setReceiveBufferSize(4096); // a small window: the server cannot push the whole export into it
        socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
        socket.setSoTimeout(30_000);
        socket.getOutputStream().write(("GET /models/wide/export HTTP/1.1\r\nHost: " + base.getHost() + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        final InputStream in = socket.getInputStream();
        final StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            final int b = in.read();
            if (b < 0) {
                throw new AssertionError("the export's headers ended early: " + head);
            }
            head.append((char) b);
        }
        assertTrue(head.toString().startsWith("HTTP/1.1 200"), head.toString());
        assertTrue(head.toString().toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked"),
                "streamed, not sized in memory first: " + head);
        return socket;
    }

    /** How long a /health on a new connection takes to answer 200, in ms. */
    private static long healthMillis(final URI base) throws IOException {
        final long start = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 2000);
            socket.setSoTimeout(2000);
            socket.getOutputStream().write(("GET /health HTTP/1.1\r\nHost: " + base.getHost()
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            final String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static void learnWideModel(final OlrConfig config) throws Exception {
        final RecordCodec<LabeledExample> codec = RecordFormat.AVRO.codec(LabeledExample.class);
        final Random random = new Random(7);
        final List<ProducerRecord<byte[], byte[]>> examples = new ArrayList<>();
        for (int e = 0; e < EXAMPLES; e++) {
            final Map<String, Double> features = new HashMap<>();
            for (int f = 0; f < FEATURES; f++) {
                features.put("w" + e + "_" + f, random.nextGaussian());
            }
            examples.add(new ProducerRecord<>(config.topologyConfig().examplesTopic(),
                    "wide".getBytes(StandardCharsets.UTF_8), codec.encode(LabeledExample.newBuilder()
                    .setModelId("wide").setNumericFeatures(features).setLabel(e % 2 == 0 ? "1" : "0").build())));
        }
        try (KafkaProducer<byte[], byte[]> producer = KafkaFixture.producer(broker)) {
            KafkaFixture.send(producer, config.topologyConfig().examplesTopic(), examples);
        }
    }

    @Test
    void exportsBeyondTheLimitAre429AndSigtermEndsTheProcessWithinItsTimeoutWhileAnExportIsWritten()
            throws Exception {
        final OlrConfig config = KafkaFixture.config(broker, dir.resolve("limits"), Map.of("olr.http.port", "0",
                "olr.shutdown.timeout", SHUTDOWN_TIMEOUT.toString()));
        KafkaFixture.createTopics(broker, config);
        final Path log = dir.resolve("olr-run-limits.log");
        final Process child = olrRun(config, log);
        final List<Socket> stalled = new ArrayList<>();
        try {
            final URI base = endpoint(child, log);
            learnWideModel(config);
            KafkaFixture.await(() -> {
                final HttpResponse<String> model = get(base, "/models/wide");
                return model.statusCode() == 200 && model.body().contains("\"version\":" + EXAMPLES);
            }, TIMEOUT, () -> "/models/wide: " + get(base, "/models/wide").body() + "; log: " + read(log));

            // two exports nobody reads hold both slots (olr.http.max-concurrent-exports=2)...
            stalled.add(stalledExport(base));
            stalled.add(stalledExport(base));
            // ...so a third is refused at once, and health checks are answered meanwhile
            final HttpResponse<String> third = get(base, "/models/wide/export");
            assertEquals(429, third.statusCode(), third.body());
            assertEquals("5", third.headers().firstValue("Retry-After").orElse(""));
            assertTrue(JSON.readTree(third.body()).get("error").asText().contains("olr.http.max-concurrent-exports"),
                    third.body());
            final List<Long> health = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                health.add(healthMillis(base));
            }
            System.out.println("/health while two exports are stalled, ms: " + health);
            // answered, not starved (the endpoint's 100 ms bound is OpsServerTest's): here the child JVM is
            // still generating the exports when the first probes come, on a machine the tests share
            assertTrue(health.stream().allMatch(ms -> ms < 500), "/health within 500 ms: " + health);

            // a client that gives up frees its slot: the next export is written whole
            stalled.remove(0).close();
            final AtomicReference<HttpResponse<String>> whole = new AtomicReference<>();
            KafkaFixture.await(() -> {
                whole.set(get(base, "/models/wide/export"));
                return whole.get().statusCode() == 200;
            }, TIMEOUT, () -> "export after a client left: " + whole.get().statusCode() + " " + whole.get().body());
            final JsonNode export = JSON.readTree(whole.get().body());
            System.out.println("export of the wide model: " + whole.get().body().length() + " chars, "
                    + export.get("weights").size() + " weights");
            assertEquals(EXAMPLES, export.get("version").asLong());
            assertTrue(export.get("weights").size() > 60_000, "every row: " + export.get("weights").size());
            assertTrue(export.get("state").has("-1"));

            // SIGTERM while the other export is still being written: it must not hold the process
            final long start = System.nanoTime();
            child.destroy();
            assertTrue(child.waitFor(SHUTDOWN_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS), "exited; log: " + read(log));
            final long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.println("olr run exited " + millis + " ms after SIGTERM, an export being written");
            assertEquals(143, child.exitValue(), "a clean stop by SIGTERM; log: " + read(log));
            assertTrue(millis < SHUTDOWN_TIMEOUT.toMillis(), millis + " ms");
            assertFalse(read(log).contains("halting"), read(log));
        } finally {
            for (final Socket socket : stalled) {
                socket.close();
            }
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aShutdownThatOutlastsItsTimeoutIsHaltedWithALogLine() throws Exception {
        // 1 ms: no shutdown of Kafka Streams is that fast, so the deadline always passes first
        final OlrConfig config = KafkaFixture.config(broker, dir.resolve("halt"), Map.of("olr.http.port", "0",
                "olr.shutdown.timeout", "1"));
        KafkaFixture.createTopics(broker, config);
        final Path log = dir.resolve("olr-run-halt.log");
        final Process child = olrRun(config, log);
        try {
            final URI base = endpoint(child, log);
            KafkaFixture.await(() -> get(base, "/ready").statusCode() == 200, TIMEOUT, () -> "not ready: " + read(log));
            child.destroy();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "exited; log: " + read(log));
            assertEquals(1, child.exitValue(), "halted; log: " + read(log));
            assertTrue(read(log).contains("not stopped within olr.shutdown.timeout (1 ms): halting"), read(log));
        } finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
