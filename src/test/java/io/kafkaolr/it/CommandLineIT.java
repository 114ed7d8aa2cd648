package io.kafkaolr.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.docs.Readme;
import io.kafkaolr.docs.ShownOutput;
import io.kafkaolr.runtime.OlrProcessor;
import io.kafkaolr.testing.Cli;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The commands a user types, against the real broker: produce, consume, demo. */
class CommandLineIT extends BrokerIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path copyShipped(final String name) throws Exception {
        final Path target = dir.resolve(name);
        Files.createDirectories(target.getParent());
        try (InputStream in = CommandLineIT.class.getResourceAsStream("/datasets/" + name)) {
            Files.copy(in, target);
        }
        return target;
    }

    @Test
    void produceExamplesAndEventsThenConsumePredictionsAsJsonLines() throws Exception {
        final OlrConfig config = KafkaFixture.config(broker, dir.resolve("state"), Map.of(
                "olr.format", "json"));
        KafkaFixture.createTopics(broker, config);
        final List<String> topicArgs = new ArrayList<>();
        for (final String role : List.of("examples", "events", "predictions", "dead-letters", "metrics")) {
            topicArgs.add("--set");
            topicArgs.add("olr.topic." + role + "=" + config.get("olr.topic." + role));
        }
        topicArgs.add("--set");
        topicArgs.add("application.id=" + config.get("application.id")); // names the model and control topics
        final Path train = copyShipped("breast-cancer/train.csv");
        final Path test = copyShipped("breast-cancer/test.csv");
        try (OlrProcessor processor = OlrProcessor.start(config, broker.bootstrapServers())) {
            assertTrue(processor.awaitRunning(Duration.ofSeconds(60)));
            final Cli.Run produced = Cli.olr(concat(List.of("produce", "-b", broker.bootstrapServers(), "--format", "json",
                    "--topic", "examples", "--file", train.toString()), topicArgs));
            assertEquals(0, produced.exitCode(), produced.err());
            assertTrue(produced.out().startsWith("sent 456 examples to " + config.get("olr.topic.examples")),
                    produced.out());

            try (ModelTopicReader model = new ModelTopicReader(KafkaFixture.consumer(broker,
                    config.topologyConfig().modelTopic()))) {
                // the file's directory names the model: breast-cancer
                KafkaFixture.await(() -> {
                    model.poll();
                    return model.version("breast-cancer") == 456;
                }, Duration.ofSeconds(60), () -> "version " + model.version("breast-cancer"));
            }
            // scoring's own copy may see the commit a moment after this test's consumer does
            KafkaFixture.await(() -> KafkaFixture.servedVersion(processor, "breast-cancer") == 456,
                    Duration.ofSeconds(60), () -> "served version " + KafkaFixture.servedVersion(processor, "breast-cancer"));
            // without --format: the events go as Avro, to a processor that writes JSON and reads either
            final Cli.Run events = Cli.olr(concat(List.of("produce", "-b", broker.bootstrapServers(),
                    "--topic", "events", "--file", test.toString()), topicArgs));
            assertEquals(0, events.exitCode(), events.err());

            final Cli.Run consumed = Cli.olr(concat(List.of("consume", "-b", broker.bootstrapServers(),
                    "--topic", "predictions", "--max", "113", "--idle-timeout", "60000"),
                    topicArgs));
            assertEquals(0, consumed.exitCode(), consumed.err());
            final List<String> lines = consumed.out().lines().toList();
            assertEquals(113, lines.size());
            for (final String line : lines) {
                final JsonNode p = JSON.readTree(line);
                assertTrue(p.get("event_id").asText().startsWith("test:"));
                assertEquals(456, p.get("model_version").asLong());
                assertEquals(1.0, p.at("/probabilities/0").asDouble() + p.at("/probabilities/1").asDouble(), 1e-12);
            }

            // like kcat -C -e: from the oldest record to the end as it is now, then exit; keys on request
            final Cli.Run examples = Cli.olr(concat(List.of("consume", "-b", broker.bootstrapServers(), "--format",
                    "json", "--topic", "examples", "-e", "--print-key"), topicArgs));
            assertEquals(0, examples.exitCode(), examples.err());
            final List<String> exampleLines = examples.out().lines().toList();
            assertEquals(456, exampleLines.size());
            for (final String line : exampleLines) {
                final JsonNode keyed = JSON.readTree(line);
                assertEquals("breast-cancer", keyed.get("key").asText(), line);
                assertEquals("breast-cancer", keyed.at("/value/model_id").asText(), line);
            }
            // every topic olr run uses, each decoded; the model topic's keys are binary: in hex
            for (final String role : List.of("model", "metrics", "control", "dead-letters")) {
                final Cli.Run all = Cli.olr(concat(List.of("consume", "-b", broker.bootstrapServers(), "--format",
                        "json", "--topic", role, "-e", "-K"), topicArgs));
                assertEquals(0, all.exitCode(), role + ": " + all.err());
                for (final String line : all.out().lines().toList()) {
                    assertTrue(!line.contains("undecodable"), role + ": " + line);
                }
                if (role.equals("model")) {
                    final List<String> entries = all.out().lines().toList();
                    assertTrue(entries.stream().anyMatch(l -> l.contains("\"header\":true")), all.out());
                    assertTrue(entries.stream().allMatch(l -> l.startsWith("{\"key_hex\":")), entries.get(0));
                }
            }
            final Cli.Run unknown = Cli.olr(concat(List.of("consume", "-b", broker.bootstrapServers(), "--topic",
                    "nosuch", "-e"), topicArgs));
            assertEquals(2, unknown.exitCode(), unknown.err());
            assertTrue(unknown.err().contains("no topic nosuch") && unknown.err().contains("metrics, control, model"),
                    unknown.err());

            final Path jsonl = dir.resolve("examples.jsonl");
            Files.writeString(jsonl, """
                    {"model_id": "typed", "numeric_features": {"x": 1}, "label": "1"}
                    {"model_id": "typed", "numeric_features": {"x": 1}, "lable": "1"}
                    {"model_id": "typed", "numeric_features": {"x": -1}, "label": "0"}
                    """);
            final Cli.Run partly = Cli.olr(concat(List.of("produce", "-b", broker.bootstrapServers(), "--format", "json",
                    "--topic", "examples", "--file", jsonl.toString()), topicArgs));
            assertEquals(1, partly.exitCode(), "a refused line is a non-zero exit");
            assertTrue(partly.out().contains("sent 2 examples") && partly.out().contains("1 lines refused"),
                    partly.out());
            assertTrue(partly.err().contains("line 2: INVALID_RECORD"), partly.err());
        }
    }

    @Test
    void withoutABrokerProduceSaysHowToGetOne() {
        final Cli.Run run = Cli.olr("produce", "--topic", "examples", "--file", "x.csv");
        assertEquals(3, run.exitCode());
        assertTrue(run.err().contains("--bootstrap-servers"), run.err());
    }

    @Test
    void demoRunsToItsSummaryAndPlot() throws Exception {
        final Path out = dir.resolve("demo");
        final Cli.Run run = Cli.olr("demo", "--out", out.toString(), "--stream-seconds", "3");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("Test set (113 events scored by model version 456)"), run.out());
        assertTrue(run.out().contains("identical to 'olr replay' on the same rows: yes, to the bit"), run.out());
        // what the README shows the demo printing (ReadmeExamplesIT leaves this command to this test)
        final List<Readme.Step> shown = new ArrayList<>();
        for (final Readme.Block block : Readme.blocks()) {
            if (block.checked()) {
                Readme.steps(block).stream().filter(s -> s.command().equals("./olr demo")).forEach(shown::add);
            }
        }
        assertEquals(1, shown.size(), "the README's console block of ./olr demo");
        assertNull(ShownOutput.mismatch(shown.get(0).shownOutput(), run.out()));
        assertTrue(Files.size(out.resolve("progressive-log-loss.csv")) > 100);
        final List<String> curve = Files.readAllLines(out.resolve("progressive-log-loss.csv"));
        assertTrue(curve.get(curve.size() - 1).startsWith("456,"), "the curve ends at the last example");
    }

    private static String[] concat(final List<String> a, final List<String> b) {
        final List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all.toArray(String[]::new);
    }
}
