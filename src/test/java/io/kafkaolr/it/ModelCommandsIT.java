package io.kafkaolr.it;

import static io.kafkaolr.testing.Exports.withoutAucWindow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kafkaolr.avro.DeadLetter;
import io.kafkaolr.avro.Event;
import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.avro.Prediction;
import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.core.ModelOutput;
import io.kafkaolr.offline.CsvDataset;
import io.kafkaolr.offline.Replay;
import io.kafkaolr.offline.ShippedDatasets;
import io.kafkaolr.runtime.OlrProcessor;
import io.kafkaolr.serde.ModelJson;
import io.kafkaolr.serde.ModelSnapshot;
import io.kafkaolr.serde.RecordCodec;
import io.kafkaolr.serde.RecordFormat;
import io.kafkaolr.testing.Cli;
import io.kafkaolr.testing.Datasets;
import io.kafkaolr.topology.TopologyConfig;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code olr model export / import / delete} against the real broker and a running processor:
 * exports equal to the stored model and to replay's, imports exact to the bit, deletes that
 * make a model unknown, and files refused before anything is sent.
 */
class ModelCommandsIT extends BrokerIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(45);
    private static final RecordFormat FORMAT = RecordFormat.JSON;

    private static OlrConfig config;
    private static TopologyConfig topics;
    private static OlrProcessor processor;
    private static KafkaProducer<byte[], byte[]> producer;
    private static KafkaConsumer<byte[], byte[]> predictionsConsumer;
    private static KafkaConsumer<byte[], byte[]> deadLettersConsumer;
    private static final Map<String, Prediction> PREDICTIONS = new HashMap<>();
    private static final Map<String, DeadLetter> DEAD_LETTERS = new HashMap<>();
    private static CsvDataset train;
    private static CsvDataset test;
    private static Path trainFile;
    private static int probes;

    @BeforeAll
    static void startProcessor() throws Exception {
        // the format that carries the control records as JSON (Avro is the topology tests')
        config = KafkaFixture.config(broker, dir.resolve("state"), Map.of("olr.format", FORMAT.name(),
                "olr.http.port", "0"));
        topics = config.topologyConfig();
        KafkaFixture.createTopics(broker, config);
        processor = OlrProcessor.start(config, broker.bootstrapServers());
        producer = KafkaFixture.producer(broker);
        predictionsConsumer = KafkaFixture.consumer(broker, topics.predictionsTopic());
        deadLettersConsumer = KafkaFixture.consumer(broker, topics.deadLettersTopic());
        train = Datasets.read("breast-cancer/train.csv");
        // a file for 'olr replay' (the shipped one may be inside a jar)
        trainFile = dir.resolve("breast-cancer/train.csv");
        Files.createDirectories(trainFile.getParent());
        try (InputStream in = ModelCommandsIT.class.getResourceAsStream("/datasets/breast-cancer/train.csv")) {
            Files.copy(in, trainFile);
        }
        test = ShippedDatasets.read("breast-cancer/test.csv", train.columns());
        assertTrue(processor.awaitRunning(TIMEOUT), "processor running");
    }

    @AfterAll
    static void stopProcessor() {
        predictionsConsumer.close();
        deadLettersConsumer.close();
        producer.close();
        processor.close();
    }

    /** {@code olr args...} against this test's cluster, topics and application id. */
    private static Cli.Run olr(final String... args) {
        final List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-b", broker.bootstrapServers(), "--format", FORMAT.name().toLowerCase(),
                "--set", "application.id=" + config.get("application.id")));
        for (final String role : List.of("examples", "events", "predictions", "dead-letters")) {
            all.addAll(List.of("--set", "olr.topic." + role + "=" + config.get("olr.topic." + role)));
        }
        return Cli.olr(all.toArray(String[]::new));
    }

    private static String pretty(final JsonNode json) throws Exception {
        return ModelJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json);
    }


    private static byte[] utf8(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Sends the training rows as examples of {@code modelId} and waits until the model topic has them all. */
    private static Map<Integer, byte[]> learn(final String modelId) throws Exception {
        final RecordCodec<LabeledExample> codec = FORMAT.codec(LabeledExample.class);
        final List<ProducerRecord<byte[], byte[]>> examples = new ArrayList<>();
        for (final CsvDataset.Row row : train.rows()) {
            examples.add(new ProducerRecord<>(topics.examplesTopic(), utf8(modelId), codec.encode(
                    LabeledExample.newBuilder().setModelId(modelId).setNumericFeatures(row.features().numeric())
                            .setCategoricalFeatures(row.features().categorical()).setLabel(row.label()).build())));
        }
        KafkaFixture.send(producer, topics.examplesTopic(), examples);
        try (ModelTopicReader model = new ModelTopicReader(KafkaFixture.consumer(broker, topics.modelTopic()))) {
            KafkaFixture.await(() -> {
                model.poll();
                return model.version(modelId) == train.rows().size();
            }, TIMEOUT, () -> "model version " + model.version(modelId));
            // scoring's own copy may see the commit a moment after this test's consumer does
            KafkaFixture.await(() -> KafkaFixture.servedVersion(processor, modelId) == train.rows().size(), TIMEOUT,
                    () -> "served version " + KafkaFixture.servedVersion(processor, modelId));
            final Map<Integer, byte[]> entries = new TreeMap<>();
            model.entries(modelId).forEach((index, value) -> {
                if (value != null) {
                    entries.put(index, value);
                }
            });
            return entries;
        }
    }

    private static void sendEvent(final String key, final String modelId, final CsvDataset.Row row) {
        final Event event = Event.newBuilder().setId(key).setModelId(modelId)
                .setNumericFeatures(row.features().numeric()).setCategoricalFeatures(row.features().categorical())
                .build();
        producer.send(new ProducerRecord<>(topics.eventsTopic(), utf8(key), FORMAT.codec(Event.class).encode(event)));
    }

    private static void pollOutputs() {
        for (final ConsumerRecord<byte[], byte[]> r : predictionsConsumer.poll(Duration.ofMillis(50))) {
            PREDICTIONS.put(new String(r.key(), StandardCharsets.UTF_8), FORMAT.codec(Prediction.class).decode(r.value()));
        }
        for (final ConsumerRecord<byte[], byte[]> r : deadLettersConsumer.poll(Duration.ofMillis(50))) {
            if (r.key() != null) {
                DEAD_LETTERS.put(new String(r.key(), StandardCharsets.UTF_8), FORMAT.codec(DeadLetter.class).decode(r.value()));
            }
        }
    }

    /** Waits for the answers to events {@code keys}: each one's prediction, or else its dead letter. */
    private static List<Object> answers(final List<String> keys) {
        KafkaFixture.await(() -> {
            if (keys.stream().allMatch(k -> PREDICTIONS.containsKey(k) || DEAD_LETTERS.containsKey(k))) {
                return true;
            }
            pollOutputs();
            return false;
        }, TIMEOUT, () -> "no prediction or dead letter for some of events " + keys.get(0) + "...");
        return keys.stream().map(k -> PREDICTIONS.containsKey(k) ? (Object) PREDICTIONS.get(k) : DEAD_LETTERS.get(k))
                .toList();
    }

    /**
     * Sends probe events for {@code modelId} until one is answered as {@code scored} says:
     * scoring reads the model topic on its own, a moment after the command saw it there.
     */
    private static Object probeUntil(final String modelId, final boolean scored) throws Exception {
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            final String key = "probe-" + probes++;
            sendEvent(key, modelId, test.rows().get(0));
            producer.flush();
            final Object answer = answers(List.of(key)).get(0);
            if ((answer instanceof Prediction) == scored) {
                return answer;
            }
            assertTrue(System.nanoTime() < deadline, "model '" + modelId + "' still answered as " + answer);
        }
    }

    /** The test rows scored by model {@code modelId} through the events topic. */
    private static List<Prediction> score(final String modelId) throws Exception {
        probeUntil(modelId, true);
        final List<String> keys = new ArrayList<>();
        for (int i = 0; i < test.rows().size(); i++) {
            keys.add(modelId + "-" + i);
            sendEvent(keys.get(i), modelId, test.rows().get(i));
        }
        producer.flush();
        final List<Prediction> out = new ArrayList<>();
        final List<Object> answers = answers(keys);
        for (int i = 0; i < answers.size(); i++) {
            assertTrue(answers.get(i) instanceof Prediction, "event " + i + " of model '" + modelId + "': "
                    + answers.get(i));
            out.add((Prediction) answers.get(i));
        }
        return out;
    }

    @Test
    void exportIsTheStoredModelAndReplaysImportIsExactAndDeleteMakesTheModelUnknown() throws Exception {
        final Map<Integer, byte[]> stored = learn("bc");

        final Path exported = dir.resolve("bc.json");
        final Cli.Run export = olr("model", "export", "--model-id", "bc", "-o", exported.toString());
        assertEquals(0, export.exitCode(), export.err());
        final String text = Files.readString(exported);
        assertEquals(pretty(ModelSnapshot.fromStored(stored).toJson()), text, "the model as the model topic holds it");
        final Cli.Run toStdout = olr("model", "export", "--model-id", "bc");
        assertEquals(0, toStdout.exitCode(), toStdout.err());
        assertEquals(text + System.lineSeparator(), toStdout.out());
        // the processor's HTTP endpoint exports the same model (from its store, by interactive queries)
        final String url = processor.httpUri().orElseThrow().toString();
        final Cli.Run fromHttp = Cli.olr("model", "export", "--model-id", "bc", "--url", url);
        assertEquals(0, fromHttp.exitCode(), fromHttp.err());
        assertEquals(text + System.lineSeparator(), fromHttp.out(), "the same JSON over HTTP");
        final Cli.Run unknownOverHttp = Cli.olr("model", "export", "--model-id", "no such model", "--url", url);
        assertEquals(1, unknownOverHttp.exitCode(), unknownOverHttp.out());
        assertTrue(unknownOverHttp.err().contains("no model 'no such model'"), unknownOverHttp.err());

        // replay learns the same rows in the same order: the same rows, header and names, without the AUC window
        final Path replayed = dir.resolve("bc-replay.json");
        final Cli.Run replay = Cli.olr("replay", "--train", trainFile.toString(),
                "--export-model", replayed.toString());
        assertEquals(0, replay.exitCode(), replay.err());
        final JsonNode fromProcessor = ModelJson.MAPPER.readTree(text);
        final JsonNode fromReplay = ModelJson.MAPPER.readTree(replayed.toFile());
        assertTrue(fromProcessor.get("state").size() > fromReplay.get("state").size(),
                "the processor also stores its AUC window");
        assertEquals(30, fromReplay.get("weights").size());
        assertEquals(fromReplay, withoutAucWindow(fromProcessor));

        // import as another id, in several parts: the same model to the bit
        final Cli.Run imported = olr("model", "import", exported.toString(), "--model-id", "bc-copy",
                "--part-bytes", "2048");
        assertEquals(0, imported.exitCode(), imported.err());
        assertTrue(imported.out().startsWith("model 'bc-copy' imported: version 456, "), imported.out());
        final int parts = Integer.parseInt(imported.out().replaceAll("(?s).* in (\\d+) parts.*", "$1"));
        assertTrue(parts > 1, imported.out());
        final Cli.Run copy = olr("model", "export", "--model-id", "bc-copy");
        assertEquals(0, copy.exitCode(), copy.err());
        assertEquals(text + System.lineSeparator(), copy.out(), "the imported model exports as the original");

        final List<Prediction> original = score("bc");
        final List<Prediction> copied = score("bc-copy");
        for (int i = 0; i < original.size(); i++) {
            assertEquals(456L, copied.get(i).getModelVersion());
            for (final String label : List.of("0", "1")) {
                assertEquals(original.get(i).getProbabilities().get(label), copied.get(i).getProbabilities().get(label),
                        0.0, "event " + i + ", class " + label);
            }
        }

        // delete: the copy is gone, the original is not
        final Cli.Run deleted = olr("model", "delete", "--model-id", "bc-copy");
        assertEquals(0, deleted.exitCode(), deleted.err());
        assertEquals("model 'bc-copy' deleted", deleted.out().strip());
        final Cli.Run gone = olr("model", "export", "--model-id", "bc-copy");
        assertEquals(1, gone.exitCode(), gone.out());
        assertTrue(gone.err().contains("no model 'bc-copy'"), gone.err());
        final DeadLetter unknown = (DeadLetter) probeUntil("bc-copy", false);
        assertEquals("UNKNOWN_MODEL", unknown.getReason());
        assertEquals(0, olr("model", "export", "--model-id", "bc").exitCode());
        final Cli.Run again = olr("model", "delete", "--model-id", "bc-copy");
        assertEquals(1, again.exitCode());
        assertTrue(again.err().contains("no model 'bc-copy'") && again.err().contains("nothing to delete"),
                again.err());
    }

    @Test
    void aModelTrainedByReplayAndImportedScoresExactlyAsReplay() throws Exception {
        final Path file = dir.resolve("replayed.json");
        final Cli.Run replay = Cli.olr("replay", "--train", trainFile.toString(),
                "--export-model", file.toString());
        assertEquals(0, replay.exitCode(), replay.err());
        final Cli.Run imported = olr("model", "import", file.toString(), "--model-id", "from-replay");
        assertEquals(0, imported.exitCode(), imported.err());
        assertTrue(imported.out().contains("imported: version 456") && imported.out().contains(" in 1 part"),
                imported.out());

        final Replay reference = new Replay(config.modelSettings(), io.kafkaolr.core.Limits.DEFAULT_FEATURES,
                new PrintWriter(Writer.nullWriter()));
        reference.train(train);
        final List<Prediction> predictions = score("from-replay");
        for (int i = 0; i < predictions.size(); i++) {
            final ModelOutput expected = reference.predict(test.rows().get(i).features());
            for (int k = 0; k < expected.classes().size(); k++) {
                assertEquals(expected.probabilities()[k],
                        predictions.get(i).getProbabilities().get(expected.classes().get(k)), 0.0,
                        "event " + i + " scored to the bit as replay scores it");
            }
        }
    }

    @Test
    void anImportTheProcessorRefusesFailsWithItsDeadLetter() throws Exception {
        final Path file = dir.resolve("twelve-bits.json");
        final Cli.Run replay = Cli.olr("replay", "--train", trainFile.toString(), "--hash-bits", "12",
                "--export-model", file.toString());
        assertEquals(0, replay.exitCode(), replay.err());
        // the command checks the file as the processor would, and sends nothing it would refuse
        final Cli.Run refusedHere = olr("model", "import", file.toString(), "--model-id", "twelve-bits");
        assertEquals(1, refusedHere.exitCode(), refusedHere.out());
        assertTrue(refusedHere.err().contains("cannot be imported: MODEL_MISMATCH: the model hashes onto 2^12 dimensions, this "
                + "processor onto 2^18 (olr.model.hash-bits); nothing was sent"), refusedHere.err());
        // told another hashing than the processor's, the command sends it, and the processor refuses it
        final Cli.Run refused = olr("model", "import", file.toString(), "--model-id", "twelve-bits",
                "--set", "olr.model.hash-bits=12");
        assertEquals(1, refused.exitCode(), refused.out());
        assertTrue(refused.err().contains("the processor refused the import of model 'twelve-bits': MODEL_MISMATCH: "
                + "model 'twelve-bits': the model hashes onto 2^12 dimensions, this processor onto 2^18"),
                refused.err());
        assertEquals(1, olr("model", "export", "--model-id", "twelve-bits").exitCode(), "nothing was imported");
    }

    @Test
    void aCorruptFileIsRefusedBeforeAnythingIsSent() throws Exception {
        final Replay replay = new Replay(config.modelSettings(), io.kafkaolr.core.Limits.DEFAULT_FEATURES,
                new PrintWriter(Writer.nullWriter()));
        replay.train(train);
        final ObjectNode json = replay.export();
        final ObjectNode state = (ObjectNode) json.get("state");
        final List<String> rows = new ArrayList<>();
        state.fieldNames().forEachRemaining(index -> {
            if (Integer.parseInt(index) >= 0) {
                rows.add(index);
            }
        });
        final String row = rows.get(3);
        final long before = controlTopicEnd();

        state.put(row, "AAAA"); // three zero bytes: no row format
        final Path corrupt = dir.resolve("corrupt.json");
        ModelJson.MAPPER.writeValue(corrupt.toFile(), json);
        final Cli.Run refused = olr("model", "import", corrupt.toString(), "--model-id", "corrupt");
        assertEquals(1, refused.exitCode(), refused.out());
        assertTrue(refused.err().contains("cannot be imported: row " + row + " is corrupt"), refused.err());
        assertTrue(refused.err().contains("nothing was sent"), refused.err());

        state.put(row, "not base64!");
        ModelJson.MAPPER.writeValue(corrupt.toFile(), json);
        final Cli.Run notBase64 = olr("model", "import", corrupt.toString(), "--model-id", "corrupt");
        assertEquals(1, notBase64.exitCode());
        assertTrue(notBase64.err().contains("state entry " + row + " is not base64"), notBase64.err());

        Files.writeString(corrupt, "{\"type\": \"binary\", \"weights\": {}}");
        final Cli.Run noState = olr("model", "import", corrupt.toString(), "--model-id", "corrupt");
        assertEquals(1, noState.exitCode());
        assertTrue(noState.err().contains("no \"state\" object"), noState.err());

        Files.writeString(corrupt, "{\"state\": ");
        final Cli.Run notJson = olr("model", "import", corrupt.toString(), "--model-id", "corrupt");
        assertEquals(1, notJson.exitCode());
        assertTrue(notJson.err().contains("is not JSON"), notJson.err());

        assertEquals(before, controlTopicEnd(), "nothing reached the control topic");
    }

    @Test
    void unknownModelsInvalidIdsAndMissingKafkaAreClearFailures() {
        final Cli.Run unknown = olr("model", "export", "--model-id", "never-trained");
        assertEquals(1, unknown.exitCode());
        assertTrue(unknown.err().contains("no model 'never-trained'"), unknown.err());
        assertTrue(unknown.out().isEmpty());

        final Cli.Run invalid = olr("model", "delete", "--model-id", "");
        assertEquals(2, invalid.exitCode());
        assertTrue(invalid.err().contains("model_id is empty"), invalid.err());

        final Cli.Run noKafka = Cli.olr("model", "export", "--model-id", "bc");
        assertEquals(3, noKafka.exitCode());
        assertTrue(noKafka.err().contains("--bootstrap-servers"), noKafka.err());

        final Cli.Run noProcessor = Cli.olr("model", "export", "--model-id", "bc", "--url", "http://127.0.0.1:1");
        assertEquals(3, noProcessor.exitCode());
        assertTrue(noProcessor.err().contains("cannot reach the processor at http://127.0.0.1:1"), noProcessor.err());
    }

    /** The control topic's end offsets, summed (uncommitted records and transaction markers included). */
    private static long controlTopicEnd() {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            final List<TopicPartition> partitions = consumer.partitionsFor(topics.controlTopic()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            assertNotEquals(0, partitions.size());
            final Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            assertNotNull(ends);
            return ends.values().stream().mapToLong(Long::longValue).sum();
        }
    }
}
