package io.kafkaolr.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.runtime.OlrProcessor;
import io.kafkaolr.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The loop as a user runs it against the real broker: {@code olr run} with feedback on creates
 * the outcomes topic; examples, events and outcomes are sent with {@code olr produce}; the
 * outcomes are printed back with {@code olr consume --topic outcomes}; the examples topic then
 * holds one example per event, labeled by its outcome or by the default label at the window's end.
 */
class FeedbackLoopIT extends BrokerIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void outcomesProducedAndConsumedByTheCommandsCloseTheLoop() throws Exception {
        final String run = UUID.randomUUID().toString().substring(0, 8);
        final OlrConfig config = KafkaFixture.config(broker, dir.resolve("loop-state"), Map.of(
                "olr.format", "json",
                "olr.topic.outcomes", run + "-outcomes",
                "olr.feedback.enabled", "true",
                "olr.feedback.window", "PT5S",
                "olr.feedback.default-label", "0",
                "olr.http.port", "0"));
        KafkaFixture.createTopics(broker, config);
        final List<String> settings = new ArrayList<>(List.of("-b", broker.bootstrapServers()));
        for (final String name : List.of("olr.topic.examples", "olr.topic.events", "olr.topic.predictions",
                "olr.topic.dead-letters", "olr.topic.outcomes", "application.id", "olr.format")) {
            settings.add("--set");
            settings.add(name + "=" + config.get(name));
        }
        final Path examples = Files.writeString(dir.resolve("loop-examples.jsonl"), """
                {"model_id": "ads", "numeric_features": {"x": 1}, "label": "1"}
                {"model_id": "ads", "numeric_features": {"x": -1}, "label": "0"}
                """);
        final Path events = Files.writeString(dir.resolve("loop-events.jsonl"), """
                {"id": "a", "model_id": "ads", "numeric_features": {"x": 1}}
                {"id": "b", "model_id": "ads", "numeric_features": {"x": -1}}
                """);
        final Path outcomes = Files.writeString(dir.resolve("loop-outcomes.jsonl"), """
                {"event_id": "a", "label": "1"}
                {"event_id": "a", "lable": "1"}
                """);
        try (OlrProcessor processor = OlrProcessor.start(config, broker.bootstrapServers())) {
            assertTrue(processor.awaitRunning(Duration.ofSeconds(60)));
            final Cli.Run learned = Cli.olr(args(settings, "produce", "--topic", "examples", "--file",
                    examples.toString()));
            assertEquals(0, learned.exitCode(), learned.err());
            KafkaFixture.await(() -> KafkaFixture.servedVersion(processor, "ads") == 2, Duration.ofSeconds(60),
                    () -> "served version " + KafkaFixture.servedVersion(processor, "ads"));
            assertEquals(0, Cli.olr(args(settings, "produce", "--topic", "events", "--file", events.toString()))
                    .exitCode());
            final Cli.Run predicted = Cli.olr(args(settings, "consume", "--topic", "predictions", "--max", "2",
                    "--idle-timeout", "60000"));
            assertEquals(2, predicted.out().lines().count(), predicted.err());

            final Cli.Run sent = Cli.olr(args(settings, "produce", "--topic", "outcomes", "--file",
                    outcomes.toString()));
            assertEquals(1, sent.exitCode(), "a refused line is a non-zero exit: " + sent.err());
            assertTrue(sent.out().startsWith("sent 1 outcomes to " + run + "-outcomes"), sent.out());
            assertTrue(sent.err().contains("line 2: INVALID_VALUE"), sent.err());
            final Cli.Run printed = Cli.olr(args(settings, "consume", "--topic", "outcomes", "-e", "-K"));
            assertEquals(0, printed.exitCode(), printed.err());
            final JsonNode outcome = JSON.readTree(printed.out().lines().findFirst().orElseThrow());
            assertEquals("a", outcome.get("key").asText());
            assertEquals("1", outcome.at("/value/label").asText());

            // a's outcome joins at once; b expires after 5 s with the default label
            final Cli.Run fed = Cli.olr(args(settings, "consume", "--topic", "examples", "--max", "4",
                    "--idle-timeout", "60000", "-K"));
            assertEquals(0, fed.exitCode(), fed.err());
            final List<JsonNode> joined = new ArrayList<>();
            for (final String line : fed.out().lines().toList()) {
                final JsonNode example = JSON.readTree(line);
                if (!example.at("/value/id").isNull() && !example.at("/value/id").isMissingNode()) {
                    joined.add(example);
                }
            }
            assertEquals(2, joined.size(), fed.out());
            assertEquals("a", joined.get(0).at("/value/id").asText());
            assertEquals("1", joined.get(0).at("/value/label").asText());
            assertEquals("ads", joined.get(0).get("key").asText());
            assertEquals(1.0, joined.get(0).at("/value/numeric_features/x").asDouble());
            assertEquals("b", joined.get(1).at("/value/id").asText());
            assertEquals("0", joined.get(1).at("/value/label").asText());

            // both resolutions observed: a joined with its outcome, b by the default label
            final java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
            final java.net.URI base = processor.httpUri().orElseThrow();
            final JsonNode[] table = {null};
            KafkaFixture.await(() -> {
                table[0] = get(client, base.resolve("models/ads/calibration"));
                return table[0] != null && table[0].get("observations").asLong() == 2;
            }, Duration.ofSeconds(30), () -> String.valueOf(table[0]));
            assertEquals(1, table[0].get("joined").asLong());
            assertEquals(1, table[0].get("expired_default_label").asLong());
            assertEquals(10, table[0].get("bins").size());
            final String metrics = client.send(java.net.http.HttpRequest.newBuilder(base.resolve("metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(metrics.contains("olr_feedback_outcomes_total{model=\"ads\",result=\"joined\"} 1.0"),
                    metrics);
            assertTrue(metrics.contains("olr_feedback_delay_seconds_bucket{model=\"ads\""), metrics);
            assertTrue(metrics.contains("olr_feedback_calibration_error{model=\"ads\"}"), metrics);
        }
    }

    /** The JSON at {@code uri}, or null when it answers otherwise than 200. */
    private static JsonNode get(final java.net.http.HttpClient client, final java.net.URI uri) {
        try {
            final java.net.http.HttpResponse<String> response = client.send(
                    java.net.http.HttpRequest.newBuilder(uri).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
        } catch (final java.io.IOException e) {
            return null;
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static String[] args(final List<String> settings, final String... command) {
        final List<String> all = new ArrayList<>(List.of(command));
        all.addAll(settings);
        return all.toArray(String[]::new);
    }
}
