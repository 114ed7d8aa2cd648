package io.kafkaolr.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kafkaolr.broker.EmbeddedBroker;
import io.kafkaolr.testing.Cli;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster whose clients must authenticate (SASL/PLAIN): {@code olr run} and every command
 * that talks to Kafka (produce, consume, model export, import, delete) and the HTTP endpoint's
 * import reach it with the security settings of the configuration file, as a user of a secured
 * production cluster would configure them.
 */
class SecuredClusterIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final int EXAMPLES = 300;
    private static final int EVENTS = 25;

    @TempDir
    Path dir;

    @Test
    void everyCommandAndTheProcessorReachAClusterThatRequiresAuthentication() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("broker"), 0, Map.of("olr", "olr-secret"))) {
            // without credentials the cluster answers nothing: the test below is not vacuous
            try (Admin anonymous = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    broker.bootstrapServers(), AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000,
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 4000))) {
                final Exception refused = assertThrows(Exception.class,
                        () -> anonymous.listTopics().names().get(20, TimeUnit.SECONDS));
                assertTrue(refused instanceof ExecutionException || refused instanceof TimeoutException,
                        refused.toString());
            }
            final int httpPort = freePort();
            final Path config = dir.resolve("secured.properties");
            Files.writeString(config, String.join("\n",
                    "bootstrap.servers=" + broker.bootstrapServers(),
                    "security.protocol=SASL_PLAINTEXT",
                    "sasl.mechanism=PLAIN",
                    "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required "
                            + "username=\"olr\" password=\"olr-secret\";",
                    "application.id=olr-secured",
                    "state.dir=" + dir.resolve("state"),
                    "commit.interval.ms=100",
                    "olr.format=json",
                    "olr.http.port=" + httpPort,
                    "olr.http.admin-token=t0ken", ""));
            final String[] withConfig = {"--config", config.toString()};
            writeData();

            final Process processor = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-Xmx512m", "-cp", System.getProperty("java.class.path"), "io.kafkaolr.cli.Main",
                    "run", "--config", config.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("processor.log").toFile()).start();
            try {
                final URI http = URI.create("http://127.0.0.1:" + httpPort + "/");
                KafkaFixture.await(() -> status(http.resolve("ready")) == 200 || !processor.isAlive(), TIMEOUT,
                        () -> "not ready: " + log());
                assertTrue(processor.isAlive(), "olr run stopped: " + log());

                final Cli.Run produced = Cli.olr(args(withConfig, "produce", "--topic", "examples", "--model-id",
                        "sec", "--file", dir.resolve("train.csv").toString()));
                assertEquals(0, produced.exitCode(), produced.err());
                // committed (the training store shows a version before its transaction commits)
                KafkaFixture.await(() -> version(http, "sec", "served_version") == EXAMPLES, TIMEOUT,
                        () -> "model sec: " + get(http.resolve("models/sec")) + "; " + log());

                final Path exported = dir.resolve("sec.json");
                final Cli.Run export = Cli.olr(args(withConfig, "model", "export", "--model-id", "sec", "-o",
                        exported.toString()));
                assertEquals(0, export.exitCode(), export.err());
                assertEquals(EXAMPLES, JSON.readTree(exported.toFile()).get("version").asInt());

                final Cli.Run imported = Cli.olr(args(withConfig, "model", "import", exported.toString(),
                        "--model-id", "sec-copy"));
                assertEquals(0, imported.exitCode(), imported.err());
                assertEquals(EXAMPLES, version(http, "sec-copy"), "applied when the command returned");
                final Cli.Run deleted = Cli.olr(args(withConfig, "model", "delete", "--model-id", "sec-copy"));
                assertEquals(0, deleted.exitCode(), deleted.err());
                assertEquals(404, status(http.resolve("models/sec-copy")));

                // the HTTP import produces its control commands with the same credentials
                final HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(http.resolve("models/sec-http"))
                        .header("Authorization", "Bearer t0ken")
                        .PUT(HttpRequest.BodyPublishers.ofFile(exported)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(202, put.statusCode(), put.body());
                KafkaFixture.await(() -> version(http, "sec-http") == EXAMPLES, TIMEOUT,
                        () -> "sec-http: " + get(http.resolve("models/sec-http")));

                final Cli.Run events = Cli.olr(args(withConfig, "produce", "--topic", "events", "--model-id", "sec", "--file",
                        dir.resolve("events.csv").toString()));
                assertEquals(0, events.exitCode(), events.err());
                final Cli.Run consumed = Cli.olr(args(withConfig, "consume", "--topic", "predictions",
                        "--from-beginning", "--max", String.valueOf(EVENTS), "--idle-timeout", "60000"));
                assertEquals(0, consumed.exitCode(), consumed.err());
                final List<String> lines = consumed.out().lines().toList();
                assertEquals(EVENTS, lines.size(), consumed.out());
                for (final String line : lines) {
                    assertEquals(EXAMPLES, JSON.readTree(line).get("model_version").asInt(), line);
                }
            } finally {
                processor.destroy();
                processor.waitFor(30, TimeUnit.SECONDS);
                processor.destroyForcibly();
            }
        }
    }

    private void writeData() throws IOException {
        final Random random = new Random(11);
        final StringBuilder train = new StringBuilder("x1,x2,label\n");
        for (int i = 0; i < EXAMPLES; i++) {
            final double x1 = random.nextGaussian();
            final double x2 = random.nextGaussian() * 100;
            train.append(x1).append(',').append(x2).append(',').append(x1 + x2 / 100 > 0 ? 1 : 0).append('\n');
        }
        Files.writeString(dir.resolve("train.csv"), train);
        final StringBuilder events = new StringBuilder("x1,x2\n");
        for (int i = 0; i < EVENTS; i++) {
            events.append(random.nextGaussian()).append(',').append(random.nextGaussian() * 100)
                    .append('\n');
        }
        Files.writeString(dir.resolve("events.csv"), events);
    }

    private static String[] args(final String[] config, final String... command) {
        final List<String> all = new ArrayList<>(List.of(command));
        all.addAll(List.of(config));
        return all.toArray(String[]::new);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static int status(final URI uri) {
        try {
            return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (final IOException e) {
            return -1; // not listening yet
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String get(final URI uri) {
        try {
            return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (final IOException e) {
            return e.toString();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static long version(final URI http, final String model) {
        return version(http, model, "version");
    }

    private static long version(final URI http, final String model, final String field) {
        try {
            final JsonNode node = JSON.readTree(get(http.resolve("models/" + model)));
            return node.path(field).asLong(-1);
        } catch (final IOException e) {
            return -1;
        }
    }

    private String log() {
        try {
            final List<String> lines = Files.readAllLines(dir.resolve("processor.log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (final IOException e) {
            return e.toString();
        }
    }
}
