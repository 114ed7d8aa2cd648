package io.kafkaolr.topology;

import static io.kafkaolr.topology.TopologyHarness.event;
import static io.kafkaolr.topology.TopologyHarness.example;
import static io.kafkaolr.topology.TopologyHarness.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kafkaolr.avro.DeadLetter;
import io.kafkaolr.avro.Event;
import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.avro.ModelMetrics;
import io.kafkaolr.avro.Prediction;
import io.kafkaolr.core.FeatureHasher;
import io.kafkaolr.core.Features;
import io.kafkaolr.core.ModelRows;
import io.kafkaolr.core.OnlineLogisticRegression;
import io.kafkaolr.core.RocAuc;
import io.kafkaolr.core.StepResult;
import io.kafkaolr.core.LearningRateSchedule;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.Numerics;
import io.kafkaolr.core.RejectReason;
import io.kafkaolr.serde.ModelStateCodec;
import io.kafkaolr.serde.ModelTopicFormat;
import io.kafkaolr.serde.RecordFormat;
import io.kafkaolr.testing.StoreEntries;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class OlrTopologyTest {
    private static final String APP = "olr-test";
    @TempDir
    Path stateDir;

    /** The first index of the block of rows that holds {@code row} (binary rows: narrow, 64 to a block at 2^18). */
    private static int firstOfBlock(final TopologyConfig config, final int row) {
        final int shift = ModelTopicFormat.blockShift(config.modelDefaults().hashBits(), 64);
        return (row >>> shift) << shift;
    }

    /** The number of blocks of rows the features' rows are in. */
    private static int blocksOf(final TopologyConfig config, final String... features) {
        final FeatureHasher hasher = new FeatureHasher(config.modelDefaults().hashBits());
        return (int) java.util.Arrays.stream(features).map(f -> firstOfBlock(config, hasher.index(f))).distinct().count();
    }

    private static ModelTopicFormat.Kind kind(final TestRecord<byte[], byte[]> r) {
        return ((ModelTopicFormat.Entry) ModelTopicFormat.decodeKey(r.key())).kind();
    }

    private static TopologyConfig binaryConfig(final RecordFormat format) {
        return TopologyConfig.defaults(APP, format, ModelSettings.binary(0.5, LearningRateSchedule.CONSTANT));
    }

    @ParameterizedTest
    @EnumSource(RecordFormat.class)
    void predictionsAreKeyedLikeTheirEventsSumToOneAndNameTheModelVersionUsed(final RecordFormat format) {
        try (TopologyHarness h = new TopologyHarness(binaryConfig(format), stateDir)) {
            for (int i = 0; i < 5; i++) {
                h.learn(example("m", Map.of("x", i % 2 == 0 ? 1.0 : -1.0), i % 2 == 0 ? "1" : "0"));
            }
            h.score("key-a", event("e1", "m", Map.of("x", 1.0)));
            h.score("key-b", event("e2", "m", Map.of("x", -1.0, "unseen", 3.0)));

            final List<KeyValue<String, Prediction>> out = h.readPredictions();
            assertEquals(List.of("key-a", "key-b"), out.stream().map(kv -> kv.key).toList());
            for (final KeyValue<String, Prediction> kv : out) {
                final Prediction p = kv.value;
                assertEquals("m", p.getModelId());
                assertEquals(5L, p.getModelVersion());
                assertEquals(List.of("0", "1"), List.copyOf(p.getProbabilities().keySet()));
                final double sum = p.getProbabilities().values().stream().mapToDouble(Double::doubleValue).sum();
                assertEquals(1.0, sum, 1e-12);
                assertNotNull(p.getLogit());
                assertEquals(Numerics.sigmoid(p.getLogit()), p.getProbabilities().get("1"), 1e-15);
            }
            assertEquals("e1", out.get(0).value.getEventId());
            assertEquals("1", out.get(0).value.getPredictedLabel());
            assertEquals("0", out.get(1).value.getPredictedLabel());

            // each committed step reaches the scoring side: the next event sees the next version
            h.learn(example("m", Map.of("x", 1.0), "1"));
            h.score("key-c", event("e3", "m", Map.of("x", 1.0)));
            assertEquals(6L, h.readPredictions().get(0).value.getModelVersion());
        }
    }

    @Test
    void scoringUsesExactlyTheTrainedWeights() {
        try (TopologyHarness h = new TopologyHarness(binaryConfig(RecordFormat.AVRO), stateDir)) {
            final Random random = new Random(7);
            for (int i = 0; i < 200; i++) {
                final double a = random.nextGaussian();
                final double b = random.nextGaussian();
                h.learn(example("m", Map.of("a", a, "b", b), a - b > 0 ? "1" : "0"));
            }
            final Map<Integer, byte[]> trained = StoreEntries.of(h.weightsStore(), "m");
            final Map<Integer, byte[]> served = StoreEntries.of(h.globalStore(), "m");
            assertEquals(trained.keySet(), served.keySet());
            trained.forEach((index, value) -> assertArrayEquals(value, served.get(index), "entry " + index));
            // one row per feature plus the header (which holds the bias): the store is keyed per feature
            assertEquals(3, trained.keySet().stream().filter(i -> i >= ModelStateCodec.HEADER_INDEX).count(),
                    "rows of a and b, and the header: " + trained.keySet());
        }
    }

    @Test
    void trainingOnASeparableStreamDrivesProgressiveAccuracyToOne() {
        try (TopologyHarness h = new TopologyHarness(binaryConfig(RecordFormat.AVRO), stateDir)) {
            final Random random = new Random(42);
            int sent = 0;
            ModelState atCheckpoint = null;
            while (sent < 3000) {
                final double a = random.nextDouble() * 2 - 1;
                final double b = random.nextDouble() * 2 - 1;
                final double margin = a + 0.5 * b - 0.1;
                if (Math.abs(margin) < 0.1) {
                    continue;
                }
                h.learn(example("sep", Map.of("a", a, "b", b), margin > 0 ? "1" : "0"));
                sent++;
                if (sent == 2000) {
                    atCheckpoint = h.trainedModel("sep");
                }
            }
            final ModelState end = h.trainedModel("sep");
            assertEquals(3000, end.version());
            final double lastThousandCorrect = end.metrics().correctWeight() - atCheckpoint.metrics().correctWeight();
            assertEquals(1000.0, lastThousandCorrect, "progressive mistakes among the last 1000 examples");
            assertTrue(end.metrics().accuracy() > 0.97, "overall progressive accuracy " + end.metrics().accuracy());
        }
    }

    @Test
    void badRecordsGoToDeadLettersWithReasonsWhileTheirNeighboursAreLearned() {
        final TopologyConfig config = binaryConfig(RecordFormat.AVRO).withLimits(5, 2048);
        try (TopologyHarness h = new TopologyHarness(config, stateDir)) {
            final LabeledExample good = example("m", Map.of("x", 1.0), "1");
            final byte[] goodBytes = h.exampleCodec.encode(good);
            final List<RejectReason> expected = new ArrayList<>();
            int goodCount = 0;

            h.learn(good);
            goodCount++;
            h.examples.pipeInput(utf8("m"), new byte[] {1, 2, 3, 4, 5});
            expected.add(RejectReason.UNPARSEABLE);
            final byte[] truncated = java.util.Arrays.copyOf(goodBytes, goodBytes.length - 3);
            h.examples.pipeInput(utf8("m"), truncated);
            expected.add(RejectReason.UNPARSEABLE);
            h.examples.pipeInput(utf8("m"), (byte[]) null);
            expected.add(RejectReason.UNPARSEABLE);
            h.learn(good);
            goodCount++;
            h.learn(example("m", Map.of("x", Double.NaN), "1"));
            expected.add(RejectReason.NON_FINITE_VALUE);
            h.learn(example("m", Map.of("x", Double.POSITIVE_INFINITY), "0"));
            expected.add(RejectReason.NON_FINITE_VALUE);
            h.learn(example("m", Map.of("x", 1.0), "maybe"));
            expected.add(RejectReason.UNKNOWN_LABEL);
            h.learn(example("m", Map.of("a", 1.0, "b", 1.0, "c", 1.0, "d", 1.0, "e", 1.0, "f", 1.0), "1"));
            expected.add(RejectReason.TOO_MANY_FEATURES);
            h.learn(LabeledExample.newBuilder(good).setCategoricalFeatures(Map.of("city", "x".repeat(5000))).build());
            expected.add(RejectReason.RECORD_TOO_LARGE);
            h.examples.pipeInput(utf8("other"), goodBytes);
            expected.add(RejectReason.KEY_MISMATCH);
            h.learn(example("m", Map.of("x", 1.0), ""));
            expected.add(RejectReason.MISSING_FIELD);
            h.learn(example("", Map.of("x", 1.0), "1"));
            expected.add(RejectReason.INVALID_VALUE);
            h.learn(LabeledExample.newBuilder(good).setImportance(-1.0).build());
            expected.add(RejectReason.INVALID_VALUE);
            h.learn(example("m", Map.of("x", -1.0), "0"));
            goodCount++;

            final List<TestRecord<byte[], byte[]>> letters = h.readDeadLetters();
            final List<RejectReason> reasons = new ArrayList<>();
            long previousOffset = -1;
            for (final TestRecord<byte[], byte[]> letter : letters) {
                final DeadLetter decoded = h.deadLetterCodec.decode(letter.value());
                reasons.add(RejectReason.valueOf(decoded.getReason()));
                assertEquals(decoded.getReason(), new String(letter.headers().lastHeader(DeadLetters.REASON_HEADER)
                        .value(), StandardCharsets.UTF_8));
                assertEquals("olr-examples", decoded.getSourceTopic());
                assertTrue(decoded.getSourceOffset() > previousOffset, "dead letters carry their source offset");
                previousOffset = decoded.getSourceOffset();
                assertTrue(!decoded.getDetail().isBlank());
            }
            assertEquals(expected, reasons);

            final ModelState model = h.trainedModel("m");
            assertEquals(goodCount, model.version(), "every good example learned, no bad one");
            assertEquals(goodCount, model.metrics().examples());
            assertEquals(goodCount, h.counter("examples-learned-total"));
            assertEquals(3.0, h.counter("dead-letters-unparseable-total"));
            assertEquals(2.0, h.counter("dead-letters-non-finite-value-total"));
            assertEquals(1.0, h.counter("dead-letters-unknown-label-total"));
            assertEquals(1.0, h.counter("dead-letters-too-many-features-total"));
            assertEquals(1.0, h.counter("dead-letters-record-too-large-total"));
            assertEquals(1.0, h.counter("dead-letters-key-mismatch-total"));
            assertEquals(1.0, h.counter("dead-letters-missing-field-total"));
            assertEquals(2.0, h.counter("dead-letters-invalid-value-total"));
            assertNull(h.trainedModel(""));
        }
    }

    @Test
    void badEventsAndEventsOfUnknownModelsGoToDeadLettersWhileOthersAreScored() {
        try (TopologyHarness h = new TopologyHarness(binaryConfig(RecordFormat.JSON), stateDir)) {
            h.learn(example("m", Map.of("x", 1.0), "1"));
            h.score("1", event("e1", "m", Map.of("x", 1.0)));
            h.score("2", event("e2", "never-trained", Map.of("x", 1.0)));
            h.events.pipeInput(utf8("3"), utf8("{\"id\":\"e3\",\"model_id\":\"m\",\"numeric_features\":{\"x\":NaN}}"));
            h.events.pipeInput(utf8("4"), utf8("{\"id\":\"e4\",\"numeric_features\":{\"x\":1}}"));
            h.events.pipeInput(utf8("5"), utf8("{\"id\":\"e5\",\"model_id\":\"m\",\"numeric_feature\":{\"x\":1}}"));
            h.events.pipeInput(utf8("6"), utf8("not json"));
            h.events.pipeInput(utf8("7"), utf8("{\"id\":\"e7\",\"model_id\":\"m\",\"numeric_features\":{\"x\":2}}"));

            assertEquals(List.of("1", "7"), h.readPredictions().stream().map(kv -> kv.key).toList());
            final List<String> reasons = h.readDeadLetters().stream()
                    .map(r -> h.deadLetterCodec.decode(r.value()).getReason()).toList();
            assertEquals(List.of("UNKNOWN_MODEL", "NON_FINITE_VALUE", "MISSING_FIELD", "INVALID_VALUE", "UNPARSEABLE"),
                    reasons);
            assertEquals(2.0, h.counter("events-scored-total"));
            assertEquals(1.0, h.counter("dead-letters-unknown-model-total"));
        }
    }

    @Test
    void handTypedJsonExamplesAreLearned() {
        try (TopologyHarness h = new TopologyHarness(binaryConfig(RecordFormat.JSON), stateDir)) {
            h.examples.pipeInput(utf8("spam"), utf8("""
                    {"model_id": "spam", "numeric_features": {"links": 3}, "categorical_features": {"tld": "biz"},
                     "label": 1, "importance": 2}"""));
            h.examples.pipeInput(utf8("spam"), utf8("{\"model_id\":\"spam\",\"numeric_features\":{\"links\":0},\"label\":\"0\"}"));
            assertEquals(2, h.trainedModel("spam").version());
            assertEquals(0, h.readDeadLetters().size());
            // two weight rows (links, tld=biz) and the header
            assertEquals(3, StoreEntries.of(h.weightsStore(), "spam").keySet().stream()
                    .filter(i -> i >= ModelStateCodec.HEADER_INDEX).count());
        }
    }

    @Test
    void twoModelIdsLearnExactlyAsEachWouldAlone() {
        final TopologyConfig config = TopologyConfig.defaults(APP, RecordFormat.AVRO,
                ModelSettings.softmax(0.3, LearningRateSchedule.INVSCALING).withL2(0.01));
        final List<LabeledExample> a = new ArrayList<>();
        final List<LabeledExample> b = new ArrayList<>();
        final Random random = new Random(3);
        for (int i = 0; i < 300; i++) {
            final Map<String, Double> x = new HashMap<>();
            x.put("shared", random.nextGaussian());
            x.put("f" + random.nextInt(20), 1.0);
            a.add(example("alpha", x, "c" + random.nextInt(3)));
            b.add(example("beta", x, random.nextBoolean() ? "yes" : "no"));
        }
        final Map<Integer, byte[]> alphaAlone;
        final Map<Integer, byte[]> betaAlone;
        try (TopologyHarness h = new TopologyHarness(config, stateDir.resolve("a"))) {
            a.forEach(h::learn);
            alphaAlone = StoreEntries.of(h.weightsStore(), "alpha");
        }
        try (TopologyHarness h = new TopologyHarness(config, stateDir.resolve("b"))) {
            b.forEach(h::learn);
            betaAlone = StoreEntries.of(h.weightsStore(), "beta");
        }
        try (TopologyHarness h = new TopologyHarness(config, stateDir.resolve("ab"))) {
            for (int i = 0; i < a.size(); i++) {
                h.learn(a.get(i));
                h.learn(b.get(i));
            }
            assertSameEntries(alphaAlone, StoreEntries.of(h.weightsStore(), "alpha"));
            assertSameEntries(betaAlone, StoreEntries.of(h.weightsStore(), "beta"));
            assertEquals(3, h.trainedModel("alpha").classes().size());
            assertEquals(2, h.trainedModel("beta").classes().size());
            assertEquals(300, h.trainedModel("alpha").version());
        }
    }

    @Test
    void softmaxPredictionsCoverEveryClassInClassOrder() {
        final TopologyConfig config = TopologyConfig.defaults(APP, RecordFormat.AVRO,
                ModelSettings.softmax(0.5, LearningRateSchedule.CONSTANT));
        try (TopologyHarness h = new TopologyHarness(config, stateDir)) {
            h.learn(example("w", Map.of("x", 1.0), "red"));
            h.learn(example("w", Map.of("y", 1.0), "green"));
            h.learn(example("w", Map.of("z", 1.0), "blue"));
            h.score("k", event("e", "w", Map.of("z", 2.0)));
            final Prediction p = h.readPredictions().get(0).value;
            assertEquals(List.of("red", "green", "blue"), List.copyOf(p.getProbabilities().keySet()));
            assertEquals(1.0, p.getProbabilities().values().stream().mapToDouble(Double::doubleValue).sum(), 1e-12);
            assertEquals("blue", p.getPredictedLabel());
            assertNull(p.getLogit());
            assertEquals(3L, p.getModelVersion());
        }
    }

    @Test
    void theModelTopicIsTheStoreChangelogAndFeedsTheScoringCopy() {
        try (TopologyHarness h = new TopologyHarness(binaryConfig(RecordFormat.AVRO), stateDir)) {
            assertEquals("olr-test-model-weights-changelog", h.config.modelTopic());
            for (int i = 0; i < 10; i++) {
                h.learn(example("m", Map.of("x", 1.0, "y", (double) i), i % 2 == 0 ? "1" : "0"));
            }
            final List<TestRecord<byte[], byte[]>> written = h.model.readRecordsToList();
            final int blocks = blocksOf(h.config, "x", "y");
            assertEquals(10 * (blocks + 2) + blocks, written.size(), "the blocks of rows x and y, the AUC-window "
                    + "chunk and the header, once per example, and the names of x and y once, when their rows are created");
            final List<String> named = written.stream()
                    .filter(r -> kind(r) == ModelTopicFormat.Kind.NAMES)
                    .flatMap(r -> {
                        final ModelTopicFormat.NamesBlock block = ModelTopicFormat.decodeNamesBlock(r.value());
                        return java.util.Arrays.stream(block.names()).flatMap(n -> ModelStateCodec.decodeNames(n).stream());
                    }).sorted().toList();
            assertEquals(List.of("x", "y"), named);
            final TestRecord<byte[], byte[]> last = written.get(written.size() - 1);
            assertTrue(ModelTopicFormat.decodeKey(last.key()).isHeader(), "the header is written after the rows");
            assertEquals(10, ModelStateCodec.decodeHeader(last.value()).version());
            assertArrayEquals(last.value(), h.globalStore().get(Bytes.wrap(ModelTopicFormat.headerKey("m"))));
        }
    }

    @Test
    void withoutFeatureNamesOnlyRowsWindowAndHeaderAreWritten() {
        try (TopologyHarness h = new TopologyHarness(binaryConfig(RecordFormat.AVRO).withFeatureNames(false), stateDir)) {
            for (int i = 0; i < 10; i++) {
                h.learn(example("m", Map.of("x", 1.0, "y", (double) i), i % 2 == 0 ? "1" : "0"));
            }
            final List<TestRecord<byte[], byte[]>> written = h.model.readRecordsToList();
            assertEquals(10 * (blocksOf(h.config, "x", "y") + 2), written.size(),
                    "the blocks of rows x and y, the AUC-window chunk and the header, once per example");
            assertTrue(written.stream().noneMatch(r -> kind(r) == ModelTopicFormat.Kind.NAMES));
        }
    }

    @Test
    void eventIdsAndKeysPassThroughUntouched() {
        try (TopologyHarness h = new TopologyHarness(binaryConfig(RecordFormat.AVRO), stateDir)) {
            h.learn(example("m", Map.of("x", 1.0), "1"));
            final Event e = event("id-ü-42", "m", Map.of("x", 1.0));
            h.events.pipeInput(new byte[] {0, (byte) 0xff}, h.eventCodec.encode(e));
            final TestRecord<byte[], byte[]> out = h.predictions.readRecord();
            assertArrayEquals(new byte[] {0, (byte) 0xff}, out.key());
            assertEquals("id-ü-42", h.predictionCodec.decode(out.value()).getEventId());
        }
    }

    @Test
    void examplesOffTheirModelsPartitionAreRefusedNotLearnedTwice() {
        // TopologyTestDriver delivers every record on partition 0 of a topic said to have 3
        final TopologyConfig config = binaryConfig(RecordFormat.AVRO).withExamplesPartitions(3);
        String home = null;
        String away = null;
        for (int i = 0; home == null || away == null; i++) {
            final String id = "model-" + i;
            final int partition = org.apache.kafka.common.utils.Utils.toPositive(
                    org.apache.kafka.common.utils.Utils.murmur2(utf8(id))) % 3;
            if (partition == 0 && home == null) {
                home = id;
            } else if (partition != 0 && away == null) {
                away = id;
            }
        }
        try (TopologyHarness h = new TopologyHarness(config, stateDir)) {
            h.learn(example(home, Map.of("x", 1.0), "1"));
            h.learn(example(away, Map.of("x", 1.0), "1"));
            assertEquals(1, h.trainedModel(home).version());
            assertNull(h.trainedModel(away));
            final DeadLetter letter = h.deadLetterCodec.decode(h.readDeadLetters().get(0).value());
            assertEquals("WRONG_PARTITION", letter.getReason());
            assertTrue(letter.getDetail().contains("murmur2"), letter.getDetail());
        }
    }

    @Test
    void dedicatedRolesSplitTrainingFromScoringOverTheModelTopic() {
        final TopologyConfig trainer = binaryConfig(RecordFormat.AVRO);
        final TopologyConfig scorer = trainer.scoringOnly("olr-scoring", APP);
        assertEquals(trainer.modelTopic(), scorer.modelTopic());
        assertTrue(OlrTopology.build(scorer).describe().toString().indexOf(trainer.examplesTopic()) < 0,
                "a scoring-only topology does not read examples");
        final String trainingOnly = OlrTopology.build(trainer.withRole(TopologyConfig.Role.TRAINING)).describe()
                .toString();
        assertTrue(trainingOnly.contains(trainer.examplesTopic()) && !trainingOnly.contains(trainer.eventsTopic())
                && !trainingOnly.contains(OlrTopology.MODEL_GLOBAL_STORE), trainingOnly);
        final List<TestRecord<byte[], byte[]>> modelTopic;
        final Prediction expected;
        try (TopologyHarness h = new TopologyHarness(trainer, stateDir.resolve("trainer"))) {
            for (int i = 0; i < 20; i++) {
                h.learn(example("m", Map.of("x", i % 2 == 0 ? 1.0 : -1.0), i % 2 == 0 ? "1" : "0"));
            }
            modelTopic = h.model.readRecordsToList();
            h.score("k", event("e", "m", Map.of("x", 0.7)));
            expected = h.readPredictions().get(0).value;
        }
        try (TopologyHarness h = new TopologyHarness(scorer, stateDir.resolve("scorer"))) {
            final var models = h.driver.createInputTopic(scorer.modelTopic(),
                    new org.apache.kafka.common.serialization.ByteArraySerializer(),
                    new org.apache.kafka.common.serialization.ByteArraySerializer());
            modelTopic.forEach(r -> models.pipeInput(r.key(), r.value()));
            h.score("k", event("e", "m", Map.of("x", 0.7)));
            assertEquals(expected, h.readPredictions().get(0).value);
        }
    }

    @Test
    void anEventScoredWhileACommitsRowsHaveArrivedWithoutItsHeaderUsesThePreviousVersion() {
        final TopologyConfig trainer = binaryConfig(RecordFormat.AVRO);
        final TopologyConfig scorer = trainer.scoringOnly("olr-scoring", APP);
        final Event event = event("e", "m", Map.of("x", 0.7, "y", 0.3));
        final List<List<TestRecord<byte[], byte[]>>> commits = new ArrayList<>();
        final List<Prediction> expected = new ArrayList<>();
        try (TopologyHarness h = new TopologyHarness(trainer, stateDir.resolve("trainer"))) {
            for (int i = 0; i < 3; i++) {
                h.learn(example("m", Map.of("x", 1.0 + i, "y", -0.5 * i), i % 2 == 0 ? "1" : "0"));
                commits.add(h.model.readRecordsToList());
                h.score("k", event);
                expected.add(h.readPredictions().get(0).value);
            }
        }
        final byte[] header = ModelTopicFormat.headerKey("m");
        final List<TestRecord<byte[], byte[]>> last = commits.get(2);
        assertTrue(last.size() > 1 && java.util.Arrays.equals(header, last.get(last.size() - 1).key()),
                "the training side writes a commit's rows, then its header");
        try (TopologyHarness h = new TopologyHarness(scorer, stateDir.resolve("scorer"))) {
            final var models = h.driver.createInputTopic(scorer.modelTopic(),
                    new org.apache.kafka.common.serialization.ByteArraySerializer(),
                    new org.apache.kafka.common.serialization.ByteArraySerializer());
            commits.get(0).forEach(r -> models.pipeInput(r.key(), r.value()));
            commits.get(1).forEach(r -> models.pipeInput(r.key(), r.value()));
            last.subList(0, last.size() - 1).forEach(r -> models.pipeInput(r.key(), r.value()));
            // the global store has the third commit's rows; scoring still answers with the second
            h.score("k", event);
            final Prediction during = h.readPredictions().get(0).value;
            assertEquals(2L, during.getModelVersion());
            assertEquals(expected.get(1), during);
            models.pipeInput(header, last.get(last.size() - 1).value());
            h.score("k", event);
            assertEquals(expected.get(2), h.readPredictions().get(0).value);
        }
    }

    private static void assertSameEntries(final Map<Integer, byte[]> expected, final Map<Integer, byte[]> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((index, value) -> assertArrayEquals(value, actual.get(index), "entry " + index));
    }

    @Test
    void progressiveMetricsArePublishedPerModelWithTheExactAucOfTheLatestWindow() {
        final TopologyConfig config = binaryConfig(RecordFormat.AVRO).withMetrics(
                new TopologyConfig.MetricsOutput("olr-metrics", Duration.ofSeconds(10), 100));
        final ModelSettings settings = config.modelDefaults();
        // the same examples through the core: its progressive predictions give the expected AUC
        final ModelState reference = ModelState.fresh(settings);
        final ModelRows weights = new ModelRows();
        final FeatureHasher hasher = new FeatureHasher(settings.hashBits());
        final List<Double> scores = new ArrayList<>();
        final List<Boolean> positive = new ArrayList<>();
        final Random random = new Random(17);
        try (TopologyHarness h = new TopologyHarness(config, stateDir)) {
            for (int i = 0; i < 250; i++) {
                final double x = random.nextGaussian();
                final String label = x + random.nextGaussian() > 0 ? "1" : "0";
                h.learn(example("m", Map.of("x", x), label));
                final StepResult step = OnlineLogisticRegression.learn(reference,
                        hasher.vectorize(new Features(Map.of("x", x), Map.of()), 10), label, 1.0, weights);
                scores.add(step.progressive().probabilities()[1]);
                positive.add(label.equals("1"));
            }
            final List<ModelMetrics> published = h.metricsAfter(Duration.ofSeconds(11));
            assertEquals(1, published.size());
            final ModelMetrics m = published.get(0);
            assertEquals("m", m.getModelId());
            assertEquals(250L, m.getModelVersion());
            assertEquals(250L, m.getExamples());
            assertEquals(reference.metrics().meanLogLoss(), m.getProgressiveLogLoss(), 0.0);
            assertEquals(reference.metrics().accuracy(), m.getProgressiveAccuracy(), 0.0);
            assertEquals(100, m.getAucWindowExamples());
            final double[] last = scores.subList(150, 250).stream().mapToDouble(Double::doubleValue).toArray();
            final boolean[] lastPositive = new boolean[100];
            for (int i = 0; i < 100; i++) {
                lastPositive[i] = positive.get(150 + i);
            }
            assertEquals(RocAuc.rocAuc(last, lastPositive), m.getProgressiveAuc(), 0.0);
            assertTrue(m.getProgressiveAuc() > 0.7, "the model learned: AUC " + m.getProgressiveAuc());
            final long positives = positive.stream().filter(p -> p).count();
            assertEquals(Map.of("0", 250 - positives, "1", positives), m.getClassCounts());

            assertEquals(List.of(), h.metricsAfter(Duration.ofSeconds(11)), "nothing learned, nothing published");
            h.learn(example("m", Map.of("x", 1.0), "1"));
            assertEquals(251L, h.metricsAfter(Duration.ofSeconds(11)).get(0).getModelVersion());
        }
    }

    @Test
    void softmaxMetricsCountExamplesPerClassAndHaveNoAuc() {
        final TopologyConfig config = TopologyConfig.defaults(APP, RecordFormat.JSON,
                ModelSettings.softmax(0.5, LearningRateSchedule.CONSTANT));
        try (TopologyHarness h = new TopologyHarness(config, stateDir)) {
            for (int i = 0; i < 30; i++) {
                h.learn(example("s", Map.of("x", (double) (i % 3)), "c" + (i % 3 == 2 ? 2 : i % 2)));
            }
            final ModelMetrics m = h.metricsAfter(Duration.ofSeconds(11)).get(0);
            assertEquals(Map.of("c0", 10L, "c1", 10L, "c2", 10L), m.getClassCounts());
            assertNull(m.getProgressiveAuc());
            assertEquals(30L, m.getExamples());
        }
    }
    @Test
    void eachCommitWritesToTheModelTopicExactlyTheEntriesItsExamplesChangedEachOnce() {
        final TopologyConfig config = binaryConfig(RecordFormat.AVRO);
        final FeatureHasher hasher = new FeatureHasher(config.modelDefaults().hashBits());
        try (TopologyHarness h = new TopologyHarness(config, stateDir)) {
            final java.util.Set<Integer> seen = new java.util.HashSet<>();
            final Random random = new Random(7);
            for (int i = 0; i < 30; i++) {
                final Map<String, Double> numeric = new HashMap<>();
                for (int f = 0; f < 4; f++) {
                    numeric.put("f" + random.nextInt(10), random.nextGaussian());
                }
                // the test driver commits after every record: one example, one commit
                h.learn(example("m", numeric, i % 3 == 0 ? "1" : "0"));
                final java.util.Set<Integer> rows = new java.util.TreeSet<>();
                for (final String name : numeric.keySet()) {
                    rows.add(hasher.index(name));
                }
                final java.util.Set<String> expected = new java.util.HashSet<>();
                for (final int row : rows) {
                    expected.add("R" + firstOfBlock(config, row));
                    if (seen.add(row)) {
                        expected.add("N" + firstOfBlock(config, row)); // a new row is named once, in its block
                    }
                }
                expected.add("W" + ModelTopicFormat.windowChunk(i + 1));
                final List<TestRecord<byte[], byte[]>> written = h.model.readRecordsToList();
                final List<String> keys = written.stream().map(r -> {
                    final ModelTopicFormat.Entry e = (ModelTopicFormat.Entry) ModelTopicFormat.decodeKey(r.key());
                    return e.kind().name().charAt(0) + "" + e.number();
                }).toList();
                assertEquals("H0", keys.get(keys.size() - 1), "the header last");
                assertEquals(expected, new java.util.HashSet<>(keys.subList(0, keys.size() - 1)), "example " + i);
                assertEquals(expected.size() + 1, keys.size(), "each entry once: " + keys);
                // what reached the topic is what the store (the model in memory, as of the commit) holds
                for (final TestRecord<byte[], byte[]> r : written) {
                    assertArrayEquals(h.weightsStore().get(Bytes.wrap(r.key())), r.value());
                }
                assertEquals(i + 1L, ModelStateCodec.decodeHeader(written.get(written.size() - 1).value()).version());
            }
        }
    }
}
