package io.kafkaolr.topology;

import static io.kafkaolr.topology.TopologyHarness.event;
import static io.kafkaolr.topology.TopologyHarness.example;
import static io.kafkaolr.topology.TopologyHarness.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kafkaolr.avro.DeadLetter;
import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.avro.ModelMetrics;
import io.kafkaolr.avro.Prediction;
import io.kafkaolr.core.FeatureHasher;
import io.kafkaolr.core.Features;
import io.kafkaolr.core.LearningRateSchedule;
import io.kafkaolr.core.Limits;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.RejectReason;
import io.kafkaolr.serde.JsonCodec;
import io.kafkaolr.serde.ModelJson;
import io.kafkaolr.serde.ModelStateCodec;
import io.kafkaolr.serde.ModelTopicFormat;
import io.kafkaolr.serde.RecordCodec;
import io.kafkaolr.serde.RecordFormat;
import io.kafkaolr.testing.StoreEntries;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Bad input against the topology: every record yields its dead letter with the reason, outputs
 * stay bounded whatever the input, each limit is refused at the door naming its setting, and a
 * refused record leaves the model exactly as it was.
 */
class BadInputTest {
    private static final String APP = "olr-bad";
    @TempDir
    Path stateDir;

    private static TopologyConfig config(final RecordFormat format, final ModelSettings settings, final Limits limits) {
        return TopologyConfig.defaults(APP, format, settings).withLimits(limits);
    }

    private static TopologyConfig binary(final RecordFormat format) {
        return TopologyConfig.defaults(APP, format, ModelSettings.binary(0.5, LearningRateSchedule.CONSTANT));
    }

    private static ModelSettings softmax() {
        return ModelSettings.softmax(0.5, LearningRateSchedule.CONSTANT);
    }

    private static Limits limits(final int classes, final int rowsPerModel, final int modelsPerTask,
                                 final int modelHeaderBytes, final int namesPerRow) {
        final Limits d = Limits.DEFAULT;
        return new Limits(d.recordBytes(), d.features(), 64, 1024, d.labelBytes(), classes, 64, namesPerRow,
                rowsPerModel, modelsPerTask, modelHeaderBytes, d.importBytes(), 1000);
    }

    private static DeadLetter onlyDeadLetter(final TopologyHarness h) {
        final List<TestRecord<byte[], byte[]>> letters = h.readDeadLetters();
        assertEquals(1, letters.size(), "one dead letter");
        return h.deadLetterCodec.decode(letters.get(0).value());
    }

    private static void assertLimit(final DeadLetter letter, final String setting) {
        assertEquals(RejectReason.LIMIT_EXCEEDED.name(), letter.getReason(), letter.getDetail());
        assertTrue(letter.getDetail().contains("(" + setting + ")"), letter.getDetail());
    }

    @ParameterizedTest
    @EnumSource(RecordFormat.class)
    void aHugeBadRecordGetsADeadLetterBoundedByConstructionWithItsSizeHashAndPrefix(final RecordFormat format) {
        try (TopologyHarness h = new TopologyHarness(binary(format), stateDir)) {
            final byte[] garbage = new byte[800_000];
            new Random(7).nextBytes(garbage);
            garbage[0] = 'x'; // neither JSON nor Avro's marker
            final byte[] key = new byte[100_000];
            Arrays.fill(key, (byte) 'k');
            final RecordHeaders headers = new RecordHeaders();
            headers.add("trace", new byte[] {1, 2, 3});
            h.examples.pipeInput(new TestRecord<>(key, garbage, headers, 0L));

            final List<TestRecord<byte[], byte[]>> out = h.readDeadLetters();
            assertEquals(1, out.size());
            final TestRecord<byte[], byte[]> record = out.get(0);
            final DeadLetter letter = h.deadLetterCodec.decode(record.value());
            assertEquals(RejectReason.UNPARSEABLE.name(), letter.getReason());
            assertEquals(800_000L, letter.getOriginalValueSize());
            assertEquals(100_000L, letter.getOriginalKeySize());
            assertEquals(RecordCodec.sha256Hex(garbage), letter.getOriginalValueSha256());
            assertArrayEquals(Arrays.copyOf(garbage, 64 * 1024), RecordCodec.bytes(letter.getOriginalValue()));
            assertArrayEquals(Arrays.copyOf(key, DeadLetters.KEY_PREFIX_BYTES), record.key());
            // the key is text ('k's): kept as text; the value is not: kept as bytes
            assertEquals("k".repeat(DeadLetters.KEY_PREFIX_BYTES), letter.getOriginalKeyText());
            assertNull(letter.getOriginalKey());
            assertNull(letter.getOriginalValueText());
            // the original's headers are not copied: only the reason
            assertEquals(List.of(DeadLetters.REASON_HEADER), Arrays.stream(record.headers().toArray())
                    .map(org.apache.kafka.common.header.Header::key).toList());
            // JSON carries bytes in base64: 4 characters for 3 bytes
            final int kept = 64 * 1024 + DeadLetters.KEY_PREFIX_BYTES;
            final int bound = (format == RecordFormat.JSON ? kept * 4 / 3 + 4 : kept) + DeadLetters.KEY_PREFIX_BYTES
                    + 3 * DeadLetters.DETAIL_CHARS + 1024;
            assertTrue(record.value().length + record.key().length < bound, record.value().length + " bytes");
        }
    }

    @Test
    void aSmallBadRecordIsKeptWholeInItsDeadLetter() {
        try (TopologyHarness h = new TopologyHarness(binary(RecordFormat.JSON), stateDir)) {
            h.examples.pipeInput(utf8("m"), utf8("{not json"));
            final DeadLetter letter = onlyDeadLetter(h);
            assertEquals("{not json", letter.getOriginalValueText());
            assertEquals("m", letter.getOriginalKeyText());
            assertNull(letter.getOriginalValue());
            assertNull(letter.getOriginalKey());
            assertEquals(9L, letter.getOriginalValueSize());
        }
    }

    @Test
    void aJsonRecordsDeadLetterCarriesItAsTextSoItsIdsCanBeSearchedFor() throws Exception {
        try (TopologyHarness h = new TopologyHarness(binary(RecordFormat.JSON), stateDir)) {
            final String event = "{\"id\":\"evt-42\",\"model_id\":\"m\",\"numeric_features\":{\"x\":1},"
                    + "\"categorical_features\":{\"city\":\"Zürich\"}}";
            h.events.pipeInput(utf8("evt-42"), utf8(event));
            final List<TestRecord<byte[], byte[]>> out = h.readDeadLetters();
            assertEquals(1, out.size());
            // what olr consume and kcat show: the dead letter's JSON, with the record in it as it was sent
            final com.fasterxml.jackson.databind.JsonNode json = ModelJson.MAPPER.readTree(out.get(0).value());
            assertEquals(RejectReason.UNKNOWN_MODEL.name(), json.get("reason").asText());
            assertEquals(event, json.get("original_value_text").asText());
            assertEquals("evt-42", json.get("original_key_text").asText());
            assertTrue(json.get("original_value").isNull(), json.toString());
            // searchable as it was sent, in the dead letter's bytes: no base64 in the way
            final String raw = new String(out.get(0).value(), StandardCharsets.UTF_8);
            assertTrue(raw.contains("evt-42") && raw.contains("Zürich"), raw);
        }
    }

    @Test
    void anAvroRecordsDeadLetterKeepsItsBytes() {
        try (TopologyHarness h = new TopologyHarness(binary(RecordFormat.AVRO), stateDir)) {
            final byte[] avro = h.eventCodec.encode(io.kafkaolr.avro.Event.newBuilder().setId("e1").setModelId("nope")
                    .setNumericFeatures(Map.of("x", 1.0)).setCategoricalFeatures(Map.of()).build());
            h.events.pipeInput(utf8("e1"), avro);
            final DeadLetter letter = onlyDeadLetter(h);
            assertEquals(RejectReason.UNKNOWN_MODEL.name(), letter.getReason());
            assertNull(letter.getOriginalValueText());
            assertArrayEquals(avro, RecordCodec.bytes(letter.getOriginalValue()));
            assertEquals("e1", letter.getOriginalKeyText());
        }
    }

    @Test
    void aLabelLongerThanTheLimitIsRefusedAndTheModelIsUnchanged() {
        try (TopologyHarness h = new TopologyHarness(config(RecordFormat.AVRO, softmax(), Limits.DEFAULT), stateDir)) {
            h.learn(example("m", Map.of("x", 1.0), "a"));
            final Map<Integer, byte[]> before = StoreEntries.of(h.weightsStore(), "m");
            h.learn(example("m", Map.of("x", 1.0), "y".repeat(10_000)));
            assertLimit(onlyDeadLetter(h), "olr.limits.label-bytes");
            assertStoreEquals(before, StoreEntries.of(h.weightsStore(), "m"));
            assertEquals(1.0, h.counter("dead-letters-limit-exceeded-total"));
        }
    }

    @Test
    void aSoftmaxModelStopsAddingClassesAtTheLimitAndGoesOnLearningItsKnownOnes() {
        try (TopologyHarness h = new TopologyHarness(config(RecordFormat.AVRO, softmax(),
                limits(3, 1000, 10, 512 * 1024, 16)), stateDir)) {
            for (final String label : List.of("a", "b", "c")) {
                h.learn(example("m", Map.of("x", 1.0), label));
            }
            final Map<Integer, byte[]> before = StoreEntries.of(h.weightsStore(), "m");
            h.learn(example("m", Map.of("x", 1.0), "d"));
            assertLimit(onlyDeadLetter(h), "olr.limits.classes");
            assertStoreEquals(before, StoreEntries.of(h.weightsStore(), "m"));
            h.learn(example("m", Map.of("x", 1.0), "b"));
            assertEquals(4L, h.trainedModel("m").version());
            assertEquals(List.of("a", "b", "c"), h.trainedModel("m").classes());
        }
    }

    @Test
    void aModelHeaderThatWouldPassItsLimitIsRefusedBeforeItIsWritten() {
        try (TopologyHarness h = new TopologyHarness(config(RecordFormat.AVRO, softmax(),
                limits(1000, 1000, 10, 2048, 16)), stateDir)) {
            int learned = 0;
            for (int i = 0; i < 40; i++) {
                h.learn(example("m", Map.of("x", 1.0), "label-" + "z".repeat(40) + i));
                if (h.readDeadLetters().isEmpty()) {
                    learned++;
                } else {
                    break;
                }
            }
            assertTrue(learned > 2 && learned < 40, learned + " classes learned");
            h.learn(example("m", Map.of("x", 1.0), "label-" + "z".repeat(40) + learned));
            assertLimit(onlyDeadLetter(h), "olr.limits.model-header-bytes");
            final byte[] header = h.weightsStore().get(Bytes.wrap(ModelTopicFormat.headerKey("m")));
            assertTrue(header.length <= 2048, header.length + " bytes");
            assertEquals(learned, h.trainedModel("m").version());
        }
    }

    @Test
    void aModelStopsGrowingRowsAtTheLimitButLearnsFromTheRowsItHas() {
        try (TopologyHarness h = new TopologyHarness(config(RecordFormat.AVRO,
                ModelSettings.binary(0.5, LearningRateSchedule.CONSTANT), limits(1000, 3, 10, 512 * 1024, 16)),
                stateDir)) {
            h.learn(example("m", Map.of("a", 1.0, "b", 1.0), "1"));
            final Map<Integer, byte[]> before = StoreEntries.of(h.weightsStore(), "m");
            h.learn(example("m", Map.of("c", 1.0, "d", 1.0), "0"));
            assertLimit(onlyDeadLetter(h), "olr.limits.rows-per-model");
            assertStoreEquals(before, StoreEntries.of(h.weightsStore(), "m"));
            h.learn(example("m", Map.of("a", 2.0, "c", 1.0), "0"));
            assertEquals(2L, h.trainedModel("m").version());
            h.learn(example("m", Map.of("d", 1.0), "1"));
            assertLimit(onlyDeadLetter(h), "olr.limits.rows-per-model");
        }
    }

    @Test
    void aTaskStopsTakingNewModelsAtTheLimit() {
        try (TopologyHarness h = new TopologyHarness(config(RecordFormat.AVRO,
                ModelSettings.binary(0.5, LearningRateSchedule.CONSTANT), limits(1000, 1000, 2, 512 * 1024, 16)),
                stateDir)) {
            h.learn(example("m1", Map.of("a", 1.0), "1"));
            h.learn(example("m2", Map.of("a", 1.0), "1"));
            h.learn(example("m3", Map.of("a", 1.0), "1"));
            assertLimit(onlyDeadLetter(h), "olr.limits.models-per-task");
            assertNull(h.trainedModel("m3"));
            h.learn(example("m1", Map.of("a", 1.0), "0"));
            assertEquals(2L, h.trainedModel("m1").version());
        }
    }

    @Test
    void featureNamesIdsKeysAndHeadersBeyondTheirLimitsAreRefused() {
        try (TopologyHarness h = new TopologyHarness(config(RecordFormat.AVRO,
                ModelSettings.binary(0.5, LearningRateSchedule.CONSTANT), limits(1000, 1000, 10, 512 * 1024, 16)),
                stateDir)) {
            h.learn(example("m", Map.of("f".repeat(65), 1.0), "1"));
            assertLimit(onlyDeadLetter(h), "olr.limits.feature-name-bytes");
            h.learn(LabeledExample.newBuilder(example("m", Map.of(), "1"))
                    .setCategoricalFeatures(Map.of("country", "é".repeat(30))).build());
            assertLimit(onlyDeadLetter(h), "olr.limits.feature-name-bytes");
            h.learn(LabeledExample.newBuilder(example("m", Map.of("x", 1.0), "1")).setId("i".repeat(65)).build());
            assertLimit(onlyDeadLetter(h), "olr.limits.id-bytes");
            h.learn(example("m", Map.of("x", 1.0), "1"));
            assertTrue(h.readDeadLetters().isEmpty());

            h.score("k", event("e".repeat(65), "m", Map.of("x", 1.0)));
            assertLimit(onlyDeadLetter(h), "olr.limits.id-bytes");
            h.score("k".repeat(65), event("e", "m", Map.of("x", 1.0)));
            assertLimit(onlyDeadLetter(h), "olr.limits.id-bytes");
            final RecordHeaders headers = new RecordHeaders();
            headers.add("big", new byte[2000]);
            h.events.pipeInput(new TestRecord<>(utf8("k"), h.eventCodec.encode(event("e", "m", Map.of("x", 1.0))),
                    headers, 0L));
            assertLimit(onlyDeadLetter(h), "olr.limits.record-headers-bytes");
            h.score("k", event("e", "m", Map.of("x", 1.0)));
            assertEquals(1, h.readPredictions().size());
        }
    }

    @Test
    void aRowKeepsAtMostTheLimitOfNamesWhenFeaturesCollide() {
        final ModelSettings tiny = ModelSettings.binary(0.5, LearningRateSchedule.CONSTANT).withHashBits(1);
        try (TopologyHarness h = new TopologyHarness(config(RecordFormat.AVRO, tiny, limits(1000, 1000, 10,
                512 * 1024, 2)), stateDir)) {
            final Map<String, Double> many = new HashMap<>();
            for (int i = 0; i < 20; i++) {
                many.put("f" + i, 1.0);
            }
            h.learn(example("m", many, "1"));
            assertTrue(h.readDeadLetters().isEmpty());
            StoreEntries.of(h.weightsStore(), "m").forEach((index, value) -> {
                if (ModelStateCodec.isNames(index)) {
                    assertTrue(ModelStateCodec.decodeNames(value).size() <= 2);
                }
            });
        }
    }

    @Test
    void aModelRecordScoringCannotDecodeIsSkippedAndCostsOnlyItsModelsEvents() {
        try (TopologyHarness h = new TopologyHarness(binary(RecordFormat.AVRO), stateDir)) {
            h.learn(example("good", Map.of("x", 1.0), "1"));
            h.score("k", event("e0", "good", Map.of("x", 1.0)));
            final Prediction before = h.readPredictions().get(0).value;
            final var modelTopic = h.driver.createInputTopic(h.config.modelTopic(), new ByteArraySerializer(),
                    new ByteArraySerializer());
            final byte[] corrupt = {3, 0, 1};
            modelTopic.pipeInput(ModelTopicFormat.headerKey("broken"), corrupt);
            final int x = new FeatureHasher(h.config.modelDefaults().hashBits())
                    .vectorize(new Features(Map.of("x", 1.0), Map.of()), 10).indexAt(0);
            modelTopic.pipeInput(ModelStateCodec.key("good", x), corrupt);
            modelTopic.pipeInput(ModelTopicFormat.headerKey("good"), h.globalStore().get(
                    Bytes.wrap(ModelTopicFormat.headerKey("good"))));
            assertEquals(2.0, h.counter("model-records-skipped-total"));
            // the global store keeps the records as the topic has them: queries and exports see them
            assertArrayEquals(corrupt, h.globalStore().get(Bytes.wrap(ModelTopicFormat.headerKey("broken"))));
            h.score("k", event("e1", "broken", Map.of("x", 1.0)));
            assertEquals(RejectReason.UNKNOWN_MODEL.name(), onlyDeadLetter(h).getReason());
            // the row that could not be decoded left the good model as it was
            h.score("k", event("e2", "good", Map.of("x", 1.0)));
            final Prediction after = h.readPredictions().get(0).value;
            assertEquals(before.getProbabilities(), after.getProbabilities());
            assertEquals(before.getModelVersion(), after.getModelVersion());
        }
    }

    @Test
    void aRecordWithBytesAfterItIsRefusedNotLearned() {
        try (TopologyHarness h = new TopologyHarness(binary(RecordFormat.AVRO), stateDir)) {
            final byte[] valid = h.exampleCodec.encode(example("m", Map.of("x", 1.0), "1"));
            final byte[] padded = Arrays.copyOf(valid, valid.length + 3);
            h.examples.pipeInput(utf8("m"), padded);
            final DeadLetter letter = onlyDeadLetter(h);
            assertEquals(RejectReason.UNPARSEABLE.name(), letter.getReason());
            assertTrue(letter.getDetail().contains("3 bytes follow"), letter.getDetail());
            assertNull(h.trainedModel("m"));
        }
    }

    @Test
    void aWholeNumberLabelInJsonIsTheClassOfItsIntegerText() {
        try (TopologyHarness h = new TopologyHarness(binary(RecordFormat.JSON), stateDir)) {
            h.examples.pipeInput(utf8("m"), utf8("{\"model_id\":\"m\",\"label\":1.0,\"numeric_features\":{\"x\":1}}"));
            h.examples.pipeInput(utf8("m"), utf8("{\"model_id\":\"m\",\"label\":0e3,\"numeric_features\":{\"x\":1}}"));
            assertTrue(h.readDeadLetters().isEmpty());
            assertEquals(2L, h.trainedModel("m").version());
            assertEquals(1L, h.trainedModel("m").classCounts()[1]);
            assertEquals(1L, h.trainedModel("m").classCounts()[0]);
            h.examples.pipeInput(utf8("m"), utf8("{\"model_id\":\"m\",\"label\":0.5,\"numeric_features\":{\"x\":1}}"));
            final DeadLetter letter = onlyDeadLetter(h);
            assertEquals(RejectReason.UNKNOWN_LABEL.name(), letter.getReason());
            assertTrue(letter.getDetail().contains("'0.5'"), letter.getDetail());
        }
    }

    @Test
    void examplesOfImportanceZeroArePredictedNotLearnedAndTheirMetricsAreNullNotNaN() {
        try (TopologyHarness h = new TopologyHarness(binary(RecordFormat.JSON), stateDir)) {
            h.learn(LabeledExample.newBuilder(example("m", Map.of("x", 1.0), "1")).setImportance(0.0).build());
            assertTrue(h.readDeadLetters().isEmpty());
            assertEquals(1L, h.trainedModel("m").version());
            h.driver.advanceWallClockTime(Duration.ofSeconds(11));
            final List<TestRecord<byte[], byte[]>> published = h.metrics.readRecordsToList();
            assertEquals(1, published.size());
            final String json = new String(published.get(0).value(), StandardCharsets.UTF_8);
            assertTrue(json.contains("\"progressive_log_loss\":null"), json);
            assertTrue(!json.contains("NaN"), json);
            final ModelMetrics metrics = new JsonCodec<>(ModelMetrics.class).decode(published.get(0).value());
            assertNull(metrics.getProgressiveLogLoss());
            assertEquals(1L, metrics.getExamples());
        }
    }

    @ParameterizedTest
    @EnumSource(RecordFormat.class)
    void theLargestOutputsTheDefaultLimitsAllowStayUnderKafkasOneMegabyte(final RecordFormat format) {
        final Limits d = Limits.DEFAULT;
        try (TopologyHarness h = new TopologyHarness(config(format, softmax(), d), stateDir)) {
            // as many classes as allowed, each label as long as allowed (multi-byte characters included)
            final String pad = "é".repeat(60) + "x".repeat(d.labelBytes() - 120 - 4);
            for (int k = 0; k < d.classes(); k++) {
                h.learn(example("wide", Map.of("x", 1.0), String.format("%04d", k) + pad));
            }
            assertTrue(h.readDeadLetters().isEmpty(), "every label within the limit is learned");
            assertEquals(d.classes(), h.trainedModel("wide").classes().size());
            h.learn(example("wide", Map.of("x", 1.0), "one too many"));
            assertLimit(onlyDeadLetter(h), "olr.limits.classes");

            final RecordHeaders headers = new RecordHeaders();
            headers.add("h", new byte[d.recordHeadersBytes() - 1]);
            final String id = "i".repeat(d.idBytes());
            h.events.pipeInput(new TestRecord<>(utf8("k".repeat(d.idBytes())), h.eventCodec.encode(
                    event(id, "wide", Map.of("x", 1.0))), headers, 0L));
            final List<TestRecord<byte[], byte[]>> predictions = h.predictions.readRecordsToList();
            assertEquals(1, predictions.size());
            final TestRecord<byte[], byte[]> p = predictions.get(0);
            final long predictionBytes = p.key().length + p.value().length + d.recordHeadersBytes();
            assertTrue(predictionBytes < 500_000, predictionBytes + " bytes");

            h.driver.advanceWallClockTime(Duration.ofSeconds(11));
            final List<TestRecord<byte[], byte[]>> metrics = h.metrics.readRecordsToList();
            assertTrue(metrics.get(metrics.size() - 1).value().length < 500_000);
            long largestEntry = 0;
            for (final byte[] value : StoreEntries.of(h.weightsStore(), "wide").values()) {
                largestEntry = Math.max(largestEntry, value.length);
            }
            assertTrue(largestEntry <= d.modelHeaderBytes(), largestEntry + " bytes");
        }
    }

    private static void assertStoreEquals(final Map<Integer, byte[]> expected, final Map<Integer, byte[]> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((index, value) -> assertArrayEquals(value, actual.get(index), "entry " + index));
    }
}
