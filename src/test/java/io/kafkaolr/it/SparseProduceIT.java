package io.kafkaolr.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.serde.RecordCodec;
import io.kafkaolr.testing.Cli;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

/**
 * {@code olr produce} of libsvm, VW and JSON lines files, and of a CSV file with declared
 * columns, against the real broker: what arrives on the examples topic.
 */
class SparseProduceIT extends BrokerIT {

    @Test
    void aLibsvmFileArrivesAsExamplesOfTheBinaryClassesWithItsRefusedLinesCounted() throws Exception {
        final Path file = dir.resolve("sparse-a").resolve("train.svm");
        Files.createDirectories(file.getParent());
        Files.writeString(file, """
                +1 1:0.5 3:2
                -1 2:1.5
                # a comment
                0 1:1 7:-3
                bad 1:1
                3 1:1
                1 1:x
                1 10:1
                """);
        final OlrConfig config = config();
        final Cli.Run run = produce(config, file);
        assertEquals(1, run.exitCode(), "refused lines are a non-zero exit: " + run.err());
        assertTrue(run.out().startsWith("sent 4 examples to " + config.get("olr.topic.examples"))
                && run.out().contains("3 lines refused"), run.out());
        assertTrue(run.err().contains("train.svm line 5: BAD_LABEL"), run.err());
        assertTrue(run.err().contains("train.svm line 6: BAD_LABEL: label 3 is not a class"), run.err());
        assertTrue(run.err().contains("train.svm line 7: BAD_VALUE"), run.err());
        assertTrue(run.err().contains("lines refused by reason: BAD_LABEL=2, BAD_VALUE=1"), run.err());

        final List<ConsumerRecord<byte[], byte[]>> records = read(config, 4);
        final RecordCodec<LabeledExample> codec = config.topologyConfig().format().codec(LabeledExample.class);
        final List<LabeledExample> examples = new ArrayList<>();
        for (final ConsumerRecord<byte[], byte[]> record : records) {
            // keyed by the model id, which the file's directory names, as for CSV
            assertEquals("sparse-a", new String(record.key(), StandardCharsets.UTF_8));
            examples.add(codec.decode(record.value()));
        }
        assertExample(examples.get(0), "sparse-a", "train:1", "1", Map.of("1", 0.5, "3", 2.0), 1.0);
        assertExample(examples.get(1), "sparse-a", "train:2", "0", Map.of("2", 1.5), 1.0);
        assertExample(examples.get(2), "sparse-a", "train:4", "0", Map.of("1", 1.0, "7", -3.0), 1.0);
        assertExample(examples.get(3), "sparse-a", "train:8", "1", Map.of("10", 1.0), 1.0);
    }

    @Test
    void aGzippedVwFileArrivesWithItsTagsImportancesAndNamespacedFeatures() throws Exception {
        final Path file = dir.resolve("clicks.vw.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write("""
                    1 2.0 'ad-1 |user age:30 |ad size:2
                    -1 |user:0.5 age:40
                    """.getBytes(StandardCharsets.UTF_8));
        }
        final OlrConfig config = config();
        final Cli.Run run = produce(config, file, "--model-id", "vwm");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().startsWith("sent 2 examples"), run.out());

        final List<ConsumerRecord<byte[], byte[]>> records = read(config, 2);
        final RecordCodec<LabeledExample> codec = config.topologyConfig().format().codec(LabeledExample.class);
        assertEquals("vwm", new String(records.get(0).key(), StandardCharsets.UTF_8));
        assertEquals("vwm", new String(records.get(1).key(), StandardCharsets.UTF_8));
        assertExample(codec.decode(records.get(0).value()), "vwm", "ad-1", "1",
                Map.of("user^age", 30.0, "ad^size", 2.0), 2.0);
        assertExample(codec.decode(records.get(1).value()), "vwm", "clicks:2", "0", Map.of("user^age", 20.0), 1.0);
    }

    @Test
    void maxRejectedStopsAtTheLineOverTheLimitWithTheRowsBeforeItSent() throws Exception {
        final Path file = dir.resolve("many.data");
        Files.writeString(file, """
                1 1:1
                1 1:
                1 2:1 2:3
                0 1:2
                0 1:3
                """);
        final OlrConfig config = config();
        final Cli.Run run = produce(config, file, "--input-format", "libsvm", "--max-rejected", "1");
        assertEquals(4, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().startsWith("sent 1 examples") && run.out().contains("2 lines refused"), run.out());
        assertTrue(run.err().contains("many.data line 2: BAD_VALUE"), run.err());
        assertTrue(run.err().contains("many.data line 3: DUPLICATE_FEATURE"), run.err());
        assertTrue(run.err().contains("stopped at line 3: more than 1 lines refused (--max-rejected)"), run.err());

        final List<ConsumerRecord<byte[], byte[]>> records = read(config, 1);
        final LabeledExample first = config.topologyConfig().format().codec(LabeledExample.class)
                .decode(records.get(0).value());
        assertEquals("many:1", first.getId());
        // nothing after the stop arrives
        try (KafkaConsumer<byte[], byte[]> consumer = KafkaFixture.consumer(broker,
                config.get("olr.topic.examples"))) {
            final List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
            final long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < until) {
                consumer.poll(Duration.ofMillis(200)).forEach(all::add);
            }
            assertEquals(1, all.size());
        }
    }

    @Test
    void aGzippedJsonLinesFileArrivesRecordByRecordKeyedByItsModelIds() throws Exception {
        final Path file = dir.resolve("examples.jsonl.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write("""
                    {"model_id": "j1", "id": "a", "numeric_features": {"x": 1.5}, "label": "1", "importance": 2}

                    {"model_id": "j2", "id": "b", "numeric_features": {"y": -1}, "label": "0"}
                    """.getBytes(StandardCharsets.UTF_8));
        }
        final OlrConfig config = config();
        final Cli.Run run = produce(config, file);
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().startsWith("sent 2 examples"), run.out());

        // two models, two keys: maybe two partitions, read in either order
        final RecordCodec<LabeledExample> codec = config.topologyConfig().format().codec(LabeledExample.class);
        final Map<String, LabeledExample> byKey = new HashMap<>();
        for (final ConsumerRecord<byte[], byte[]> record : read(config, 2)) {
            byKey.put(new String(record.key(), StandardCharsets.UTF_8), codec.decode(record.value()));
        }
        assertEquals(Set.of("j1", "j2"), byKey.keySet());
        assertExample(byKey.get("j1"), "j1", "a", "1", Map.of("x", 1.5), 2.0);
        assertExample(byKey.get("j2"), "j2", "b", "0", Map.of("y", -1.0), 1.0);
    }

    @Test
    void aMalformedJsonLineIsCountedAndReportedByItsLineAndMaxRejectedStops() throws Exception {
        final Path file = dir.resolve("refusals.jsonl");
        Files.writeString(file, """
                {"model_id": "jr", "id": "ok-1", "numeric_features": {"x": 1}, "label": "1"}
                {"model_id": "jr", "numeric_features": {"x": 1}
                {"model_id": "jr", "id": "ok-3", "numeric_features": {"x": 2}, "label": "0"}
                {"model_id": "jr", "numeric_features": {"x": 1, "x": 2}, "label": "0"}
                {"model_id": "jr", "id": "ok-5", "numeric_features": {"x": 3}, "label": "1"}
                """);
        final OlrConfig config = config();
        final Cli.Run run = produce(config, file);
        assertEquals(1, run.exitCode(), "refused lines are a non-zero exit: " + run.err());
        assertTrue(run.out().startsWith("sent 3 examples") && run.out().contains("2 lines refused"), run.out());
        assertTrue(run.err().contains("refusals.jsonl line 2: UNPARSEABLE_JSON"), run.err());
        assertTrue(run.err().contains("refusals.jsonl line 4: DUPLICATE_FEATURE"), run.err());
        assertTrue(run.err().contains("lines refused by reason: DUPLICATE_FEATURE=1, UNPARSEABLE_JSON=1"), run.err());
        final RecordCodec<LabeledExample> codec = config.topologyConfig().format().codec(LabeledExample.class);
        assertEquals(List.of("ok-1", "ok-3", "ok-5"), read(config, 3).stream()
                .map(r -> codec.decode(r.value()).getId()).toList());

        final Cli.Run stopped = produce(config, file, "--max-rejected", "1");
        assertEquals(4, stopped.exitCode(), stopped.out() + stopped.err());
        assertTrue(stopped.out().startsWith("sent 2 examples"), stopped.out());
        assertTrue(stopped.err().contains("stopped at line 4: more than 1 lines refused (--max-rejected)"),
                stopped.err());
    }

    @Test
    void aCsvFileArrivesWithItsDeclaredColumnsAndItsNaCellsAbsentAndWithoutNaItWarnsWithTheLine() throws Exception {
        final Path file = dir.resolve("shop").resolve("train.csv");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "id,price,hour,label\nr1,1.5,7,1\nr2,N/A,23,0\nr3,2,0,1\n");
        final OlrConfig config = config();
        final Cli.Run run = produce(config, file, "--ignore", "id", "--categorical", "hour", "--na", "N/A");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().startsWith("sent 3 examples"), run.out());
        assertFalse(run.err().contains("warning"), run.err());
        final RecordCodec<LabeledExample> codec = config.topologyConfig().format().codec(LabeledExample.class);
        final List<LabeledExample> examples = read(config, 3).stream().map(r -> codec.decode(r.value())).toList();
        assertEquals(List.of("train:2", "train:3", "train:4"), examples.stream().map(LabeledExample::getId).toList());
        assertEquals(Map.of("price", 1.5), examples.get(0).getNumericFeatures());
        assertEquals(Map.of("hour", "7"), examples.get(0).getCategoricalFeatures(), "hour declared, id ignored");
        assertEquals(Map.of(), examples.get(1).getNumericFeatures(), "N/A: no price");
        assertEquals(Map.of("hour", "23"), examples.get(1).getCategoricalFeatures());

        final Cli.Run inferred = produce(config(), file, "--ignore", "id");
        assertEquals(0, inferred.exitCode(), inferred.err());
        assertTrue(inferred.err().contains("warning: " + file + ": column 'price' is read as categorical because 1 of "
                + "its 3 non-missing cells is not a number, the first at line 3: 'N/A'"), inferred.err());
    }

    private static OlrConfig config() throws Exception {
        final OlrConfig config = KafkaFixture.config(broker, dir.resolve("state"), Map.of());
        KafkaFixture.createTopics(broker, config);
        return config;
    }

    private static Cli.Run produce(final OlrConfig config, final Path file, final String... more) {
        final List<String> args = new ArrayList<>(List.of("produce", "-b", broker.bootstrapServers(),
                "--set", "olr.topic.examples=" + config.get("olr.topic.examples"),
                "--topic", "examples", "--file", file.toString()));
        args.addAll(List.of(more));
        return Cli.olr(args.toArray(String[]::new));
    }

    /** The first {@code count} records of the examples topic, in order (one key, so one partition). */
    private static List<ConsumerRecord<byte[], byte[]>> read(final OlrConfig config, final int count) {
        final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = KafkaFixture.consumer(broker,
                config.get("olr.topic.examples"))) {
            KafkaFixture.pollUntil(consumer, records, () -> records.size() >= count, Duration.ofSeconds(60),
                    () -> records.size() + " records");
        }
        return records;
    }

    private static void assertExample(final LabeledExample e, final String model, final String id, final String label,
                                      final Map<String, Double> numeric, final double importance) {
        assertEquals(model, e.getModelId());
        assertEquals(id, e.getId());
        assertEquals(label, e.getLabel());
        assertEquals(numeric, e.getNumericFeatures());
        assertTrue(e.getCategoricalFeatures().isEmpty());
        assertEquals(importance, e.getImportance());
        assertNull(e.getTimestamp());
    }
}
