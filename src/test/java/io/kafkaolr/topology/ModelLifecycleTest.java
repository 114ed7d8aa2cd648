package io.kafkaolr.topology;

import static io.kafkaolr.testing.Exports.withoutAucWindow;
import static io.kafkaolr.topology.TopologyHarness.event;
import static io.kafkaolr.topology.TopologyHarness.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kafkaolr.avro.DeadLetter;
import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.avro.ModelCommand;
import io.kafkaolr.avro.Prediction;
import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.core.FeatureHasher;
import io.kafkaolr.core.LogitLeastSquares;
import io.kafkaolr.core.Features;
import io.kafkaolr.core.ModelOutput;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.RejectReason;
import io.kafkaolr.core.WeightRow;
import io.kafkaolr.offline.CsvDataset;
import io.kafkaolr.offline.Replay;
import io.kafkaolr.serde.ControlCommands;
import io.kafkaolr.serde.ModelJson;
import io.kafkaolr.serde.ModelSnapshot;
import io.kafkaolr.serde.ModelStateCodec;
import io.kafkaolr.serde.ModelTopicFormat;
import io.kafkaolr.serde.RecordCodec;
import io.kafkaolr.serde.RecordFormat;
import io.kafkaolr.testing.Datasets;
import io.kafkaolr.testing.StoreEntries;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Import and delete through the control topic: exact warm starts, whole replacement, refusals. */
class ModelLifecycleTest {
    @TempDir
    Path stateDir;

    private static final RecordCodec<ModelCommand> COMMANDS = RecordFormat.AVRO.codec(ModelCommand.class);

    /** The defaults with {@code optimizer}; {@code "nag-penalised"}: NAG with L1 and L2, whose rows keep a clock. */
    private static ModelSettings settings(final String optimizer) {
        if (optimizer.equals("nag-penalised")) {
            return OlrConfig.defaults(Map.of("olr.model.hash-bits", "12", "olr.model.optimizer", "nag",
                    "olr.model.l1", "0.01", "olr.model.l2", "0.001")).modelSettings();
        }
        return OlrConfig.defaults(Map.of("olr.model.hash-bits", "12", "olr.model.optimizer", optimizer))
                .modelSettings();
    }

    private static TopologyConfig config(final ModelSettings settings) {
        return TopologyConfig.defaults("olr-lifecycle", RecordFormat.AVRO, settings);
    }

    private static Replay replay(final ModelSettings settings, final CsvDataset data) {
        final Replay replay = new Replay(settings, 100, new PrintWriter(new StringWriter()));
        replay.train(data);
        return replay;
    }

    private static void send(final TopologyHarness h, final List<ModelCommand> commands) {
        commands.forEach(c -> h.control.pipeInput(utf8(c.getModelId()), COMMANDS.encode(c)));
    }

    private static LabeledExample example(final String modelId, final CsvDataset.Row row) {
        return LabeledExample.newBuilder().setModelId(modelId).setNumericFeatures(row.features().numeric())
                .setCategoricalFeatures(row.features().categorical()).setLabel(row.label()).build();
    }

    private static ObjectNode exportFromStore(final TopologyHarness h, final String modelId) {
        return ModelSnapshot.fromStored(StoreEntries.of(h.weightsStore(), modelId)).toJson();
    }


    @ParameterizedTest
    @ValueSource(strings = {"ftrl", "asgd", "rls", "nag", "nag-penalised"})
    void aModelTrainedByReplayAndImportedScoresAndGoesOnLearningExactlyAsReplay(final String optimizer) {
        final ModelSettings settings = settings(optimizer);
        final CsvDataset train = Datasets.read("breast-cancer/train.csv");
        final CsvDataset test = Datasets.read("breast-cancer/test.csv");
        final Replay replay = replay(settings, train);
        final ObjectNode exported = replay.export();
        try (TopologyHarness h = new TopologyHarness(config(settings), stateDir)) {
            // small parts: the import spans many records, kept aside until the last
            final List<ModelCommand> parts = ControlCommands.importParts("bc", ModelSnapshot.fromJson(exported), 256);
            assertTrue(parts.size() > 5, parts.size() + " parts");
            send(h, parts);
            assertTrue(h.readDeadLetters().isEmpty());
            assertEquals(456, h.trainedModel("bc").version());
            assertTrue(h.directory.trainedModels().contains("bc"));

            for (int i = 0; i < test.rows().size(); i++) {
                h.score("k" + i, event("e" + i, "bc", test.rows().get(i).features().numeric()));
            }
            final List<Prediction> predictions = h.readPredictions().stream().map(kv -> kv.value).toList();
            assertEquals(test.rows().size(), predictions.size());
            for (int i = 0; i < predictions.size(); i++) {
                final ModelOutput expected = replay.predict(test.rows().get(i).features());
                assertEquals(expected.probabilities()[1], predictions.get(i).getProbabilities().get(expected.classes().get(1)),
                        0.0, "event " + i + " scored to the bit as replay scored it");
                assertEquals(456L, predictions.get(i).getModelVersion());
            }

            // warm start: learning on from the imported model is learning on from replay's
            for (final CsvDataset.Row row : test.rows()) {
                h.learn(example("bc", row));
            }
            final Replay continued = replay(settings, train);
            continued.train(test);
            assertEquals(withoutAucWindow(continued.export()), withoutAucWindow(exportFromStore(h, "bc")),
                    "the same model after 113 more examples (replay keeps no AUC window in the model)");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftrl", "nag", "nag-penalised"})
    void exportThenImportUnderAnotherIdIsEqualToTheBit(final String optimizer) {
        final ModelSettings settings = settings(optimizer);
        try (TopologyHarness h = new TopologyHarness(config(settings), stateDir)) {
            for (final CsvDataset.Row row : Datasets.read("breast-cancer/train.csv").rows()) {
                h.learn(example("a", row));
            }
            final ObjectNode exported = exportFromStore(h, "a");
            assertEquals(30, exported.get("weights").size(), "every feature by its name, as the processor stored it");
            assertTrue(exported.get("weights").has("mean_radius"));
            send(h, ControlCommands.importParts("b", ModelSnapshot.fromJson(exported), ControlCommands.DEFAULT_PART_BYTES));
            assertEquals(ModelJson.MAPPER.valueToTree(exported), exportFromStore(h, "b"));
            final Map<Integer, byte[]> a = StoreEntries.of(h.weightsStore(), "a");
            final Map<Integer, byte[]> b = StoreEntries.of(h.weightsStore(), "b");
            assertEquals(a.keySet(), b.keySet(), "every entry, AUC window included");
            a.forEach((index, value) -> assertArrayEquals(value, b.get(index), "entry " + index));
        }
    }

    @Test
    void anImportReplacesTheWholeModelAndDeleteRemovesEveryEntry() {
        final ModelSettings settings = settings("ftrl");
        try (TopologyHarness h = new TopologyHarness(config(settings), stateDir)) {
            h.learn(TopologyHarness.example("m", Map.of("only-before", 1.0), "1"));
            final Replay replay = replay(settings, Datasets.read("breast-cancer/train.csv"));
            h.model.readRecordsToList();
            send(h, ControlCommands.importParts("m", replay.snapshot(), ControlCommands.DEFAULT_PART_BYTES));
            final Map<Integer, byte[]> stored = StoreEntries.of(h.weightsStore(), "m");
            final Map<Integer, byte[]> imported = StoreEntries.ofEntries(replay.snapshot().storeEntries());
            assertEquals(imported.keySet(), stored.keySet(), "the old model's rows are gone");
            // the old header is overwritten, never deleted: scorers see the old model or the new, never none
            final List<TestRecord<byte[], byte[]>> replacing = h.model.readRecordsToList();
            assertTrue(ModelTopicFormat.decodeKey(replacing.get(replacing.size() - 1).key()).isHeader(),
                    "the header last");
            assertTrue(replacing.stream().noneMatch(r -> r.value() == null
                    && ModelTopicFormat.decodeKey(r.key()).isHeader()), "no header tombstone");
            assertTrue(replacing.stream().anyMatch(r -> r.value() == null), "the old model's own rows deleted");

            final long keys;
            try (var all = h.weightsStore().all()) {
                keys = java.util.stream.StreamSupport.stream(java.util.Spliterators.spliteratorUnknownSize(all, 0), false)
                        .filter(kv -> "m".equals(ModelTopicFormat.decodeKey(kv.key.get()).modelId())).count();
            }
            send(h, List.of(ControlCommands.delete("m")));
            assertTrue(StoreEntries.of(h.weightsStore(), "m").isEmpty());
            final List<TestRecord<byte[], byte[]>> tombstones = h.model.readRecordsToList();
            assertEquals(keys, tombstones.size(), "a tombstone for each stored entry");
            assertTrue(tombstones.stream().allMatch(r -> r.value() == null));
            assertNull(h.globalStore().get(org.apache.kafka.common.utils.Bytes.wrap(ModelTopicFormat.headerKey("m"))));
            assertTrue(h.directory.trainedModels().isEmpty());
            assertTrue(h.directory.servedModels().isEmpty());

            h.score("k", event("e", "m", Map.of("x", 1.0)));
            final List<TestRecord<byte[], byte[]>> letters = h.readDeadLetters();
            assertEquals(1, letters.size());
            assertEquals(RejectReason.UNKNOWN_MODEL.name(), h.deadLetterCodec.decode(letters.get(0).value()).getReason());
            // learning again starts a new model
            h.learn(TopologyHarness.example("m", Map.of("x", 1.0), "1"));
            assertEquals(1, h.trainedModel("m").version());
        }
    }

    @Test
    void aDeleteTypedByHandAsJsonIsApplied() {
        final TopologyConfig json = TopologyConfig.defaults("olr-lifecycle", RecordFormat.JSON, settings("ftrl"));
        try (TopologyHarness h = new TopologyHarness(json, stateDir)) {
            h.learn(TopologyHarness.example("spam", Map.of("links", 7.0), "1"));
            h.control.pipeInput(utf8("spam"), utf8("{\"model_id\":\"spam\",\"action\":\"DELETE\"}"));
            assertNull(h.trainedModel("spam"));
            h.control.pipeInput(utf8("spam"), utf8("{\"model_id\":\"spam\",\"action\":\"PURGE\"}"));
            final List<DeadLetter> letters = h.readDeadLetters().stream()
                    .map(r -> h.deadLetterCodec.decode(r.value())).toList();
            assertEquals(1, letters.size());
            assertEquals(RejectReason.INVALID_VALUE.name(), letters.get(0).getReason());
            assertTrue(letters.get(0).getDetail().contains("[IMPORT, DELETE]"), letters.get(0).getDetail());
        }
    }

    @Test
    void anIncompleteOrForeignImportIsRefusedWithItsReasonAndChangesNothing() {
        final ModelSettings settings = settings("ftrl");
        try (TopologyHarness h = new TopologyHarness(config(settings), stateDir)) {
            h.learn(TopologyHarness.example("m", Map.of("x", 1.0), "1"));
            final Map<Integer, byte[]> before = StoreEntries.of(h.weightsStore(), "m");
            final Replay replay = replay(settings, Datasets.read("breast-cancer/train.csv"));
            final List<ModelCommand> parts = ControlCommands.importParts("m", replay.snapshot(), 2048);
            send(h, parts.subList(1, parts.size()));
            // hashed onto 2^14 rows, not this processor's 2^12
            final Replay other = replay(OlrConfig.defaults(Map.of("olr.model.hash-bits", "14")).modelSettings(),
                    Datasets.read("breast-cancer/train.csv"));
            send(h, ControlCommands.importParts("m", other.snapshot(), ControlCommands.DEFAULT_PART_BYTES));
            // a corrupt row
            final ModelCommand corrupt = ControlCommands.importParts("m", replay.snapshot(), 1 << 20).get(0);
            corrupt.getEntries().get(0).setValue(java.nio.ByteBuffer.wrap(new byte[] {3, 1}));
            send(h, List.of(corrupt));

            final List<DeadLetter> letters = h.readDeadLetters().stream()
                    .map(r -> h.deadLetterCodec.decode(r.value())).toList();
            assertEquals(List.of(RejectReason.INVALID_COMMAND.name(), RejectReason.MODEL_MISMATCH.name(),
                    RejectReason.INVALID_COMMAND.name()), letters.stream().map(DeadLetter::getReason).toList());
            assertTrue(letters.get(0).getDetail().contains("part 0 of " + parts.size() + " never arrived"),
                    letters.get(0).getDetail());
            assertTrue(letters.get(2).getDetail().contains("corrupt"), letters.get(2).getDetail());
            final Map<Integer, byte[]> after = StoreEntries.of(h.weightsStore(), "m");
            assertEquals(before.keySet(), after.keySet());
            before.forEach((index, value) -> assertArrayEquals(value, after.get(index)));
            assertEquals(3.0, h.counter("dead-letters-invalid-command-total")
                    + h.counter("dead-letters-model-mismatch-total"));
        }
    }

    @Test
    void anImportAtManyHashBitsThenANewRowKeepsEveryRowOfTheModelServed() {
        final ModelSettings settings = OlrConfig.defaults(Map.of("olr.model.hash-bits", "24",
                "olr.model.optimizer", "ftrl", "olr.model.normalize", "none")).modelSettings();
        final TopologyConfig config = TopologyConfig.defaults("olr-review", RecordFormat.AVRO, settings);
        final FeatureHasher hasher = new FeatureHasher(24);
        try (TopologyHarness h = new TopologyHarness(config, stateDir)) {
            final Map<String, Double> features = new HashMap<>();
            for (int f = 0; f < 40; f++) {
                features.put("f" + f, 1.0);
            }
            for (int i = 0; i < 20; i++) {
                h.learn(TopologyHarness.example("src", features, i % 2 == 0 ? "1" : "0"));
            }
            final ModelSnapshot snapshot = ModelSnapshot.fromStored(StoreEntries.of(h.weightsStore(), "src"));
            ControlCommands.importParts("m", snapshot, ControlCommands.DEFAULT_PART_BYTES)
                    .forEach(c -> h.control.pipeInput(TopologyHarness.utf8("m"), COMMANDS.encode(c)));
            assertTrue(h.readDeadLetters().isEmpty());
            // the blocks of "m" now: one span, the training side's
            final java.util.Set<Integer> spans = new java.util.HashSet<>();
            int block = -1;
            int blockRow = -1;
            int span = -1;
            try (KeyValueIterator<Bytes, byte[]> it = h.weightsStore().all()) {
                while (it.hasNext()) {
                    final var kv = it.next();
                    final ModelTopicFormat.Key k = ModelTopicFormat.decodeKey(kv.key.get());
                    if (k instanceof ModelTopicFormat.Entry e && e.modelId().equals("m")
                            && e.kind() == ModelTopicFormat.Kind.ROWS) {
                        final ModelTopicFormat.RowBlock b = ModelTopicFormat.decodeRows(kv.value);
                        spans.add(b.shift());
                        block = e.number();
                        blockRow = b.indices()[0];
                        span = b.shift();
                    }
                }
            }
            assertEquals(1, spans.size(), "the import is stored in one span: " + spans);
            // a new feature whose row falls in that block: the block is rewritten with both rows
            String fresh = null;
            for (int i = 0; fresh == null; i++) {
                final int index = hasher.index("new" + i);
                if (index >= block && index < block + (1 << span) && index != blockRow) {
                    fresh = "new" + i;
                }
            }
            h.learn(TopologyHarness.example("m", Map.of(fresh, 1.0), "1"));
            String held = null;
            for (final String f : features.keySet()) {
                if (hasher.index(f) == blockRow) {
                    held = f;
                }
            }
            h.score("k", TopologyHarness.event("e", "m", Map.of(held, 1.0)));
            final double live = h.readPredictions().get(0).value.getProbabilities().get("1");
            final ServedModels rebuilt = new ServedModels(24);
            rebuilt.rebuild(h.globalStore(), e -> {
                throw e;
            });
            final double fromStore = rebuilt.predict("m", hasher.vectorize(new Features(Map.of(held, 1.0), Map.of()),
                    10)).probabilities()[1];
            assertEquals(fromStore, live, 0.0, "scored live and by a scorer rebuilt from the same store");
            assertEquals(rebuilt.rows("m"), StoreEntries.of(h.weightsStore(), "m").keySet().stream()
                    .filter(index -> index >= 0).count(), "every row of the model served");
        }
    }
    @Test
    void aLeastSquaresImportListingAFeatureIndexNoRowHasIsRefusedAndLearningGoesOn() {
        final ModelSettings settings = settings("rls");
        try (TopologyHarness h = new TopologyHarness(config(settings), stateDir)) {
            final List<String> names = List.of("y", "z", "a", "b", "c", "d");
            for (int i = 0; i < names.size(); i++) {
                h.learn(TopologyHarness.example("n", Map.of(names.get(i), 1.0 + i, "x", 0.5 * i),
                        i % 2 == 0 ? "1" : "0"));
            }
            final Map<Integer, byte[]> stored = StoreEntries.of(h.weightsStore(), "n");
            final WeightRow covariance = ModelStateCodec.decodeRow(stored.get(LogitLeastSquares.COVARIANCE_ROW));
            final double[] list = covariance.slots().clone();
            assertEquals(names.size() + 1, (int) list[0]);
            // the fourth feature listed, edited to a number whose int is Integer.MIN_VALUE: a model
            // that imported it wrote a row there at the next example, and the commit then failed
            list[4] = -1.0E308;
            stored.put(LogitLeastSquares.COVARIANCE_ROW, ModelStateCodec.encodeRow(new WeightRow(covariance.step(),
                    covariance.clock(), covariance.seen(), covariance.sumSquares(), covariance.mean(),
                    covariance.squaredDeviations(), list, covariance.pending())));
            send(h, ControlCommands.importParts("spam", ModelSnapshot.fromStored(stored),
                    ControlCommands.DEFAULT_PART_BYTES));
            final List<DeadLetter> letters = h.readDeadLetters().stream()
                    .map(r -> h.deadLetterCodec.decode(r.value())).toList();
            assertEquals(1, letters.size());
            assertEquals(RejectReason.INVALID_COMMAND.name(), letters.get(0).getReason());
            assertTrue(letters.get(0).getDetail().contains("lists -1.0E308 at position 4"), letters.get(0).getDetail());
            assertNull(h.trainedModel("spam"));

            // the example that followed the import: learned (a new model), committed
            h.learn(TopologyHarness.example("spam", Map.of("x", -2.61, "b", -0.54), "1"));
            assertTrue(h.readDeadLetters().isEmpty());
            assertEquals(1, h.trainedModel("spam").version());
        }
    }
}
