package io.kafkaolr.topology;

import static io.kafkaolr.testing.Exports.withoutAucWindow;
import static io.kafkaolr.topology.TopologyHarness.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kafkaolr.avro.DeadLetter;
import io.kafkaolr.avro.Event;
import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.avro.ModelCommand;
import io.kafkaolr.avro.Prediction;
import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.core.FeatureHasher;
import io.kafkaolr.core.Features;
import io.kafkaolr.core.Interactions;
import io.kafkaolr.core.Limits;
import io.kafkaolr.core.ModelOutput;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.OnlineLogisticRegression;
import io.kafkaolr.core.RejectReason;
import io.kafkaolr.offline.CsvDataset;
import io.kafkaolr.offline.Replay;
import io.kafkaolr.serde.ControlCommands;
import io.kafkaolr.serde.ModelSnapshot;
import io.kafkaolr.serde.RecordCodec;
import io.kafkaolr.serde.RecordFormat;
import io.kafkaolr.testing.StoreEntries;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feature crosses in the topology: training and scoring hash an example with the crosses of its
 * model, exactly as replay does, and a model keeps its crosses through an import into a
 * processor configured without them.
 */
class CrossesTopologyTest {
    private static final String APP = "olr-crosses";
    private static final RecordCodec<ModelCommand> COMMANDS = RecordFormat.AVRO.codec(ModelCommand.class);
    private static final RecordCodec<DeadLetter> DEAD_LETTERS = RecordFormat.AVRO.codec(DeadLetter.class);

    @TempDir
    Path stateDir;

    private static ModelSettings settings(final String interactions) {
        return OlrConfig.defaults(Map.of("olr.model.hash-bits", "12", "olr.model.interactions", interactions))
                .modelSettings();
    }

    private static TopologyConfig config(final ModelSettings settings) {
        return TopologyConfig.defaults(APP, RecordFormat.AVRO, settings);
    }

    /** Rows whose label is the exclusive or of two categories: learnable with their cross only. */
    private static CsvDataset rows(final int n, final long seed) {
        final String[] countries = {"fr", "de", "us", "jp"};
        final String[] devices = {"ios", "android", "web"};
        final Random random = new Random(seed);
        final List<CsvDataset.Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            final int c = random.nextInt(countries.length);
            final int d = random.nextInt(devices.length);
            final Map<String, String> categorical = new LinkedHashMap<>();
            categorical.put("country", countries[c]);
            categorical.put("device", devices[d]);
            final boolean positive = (c < 2) ^ (d == 0);
            rows.add(new CsvDataset.Row(new Features(Map.of("hour^h", (double) random.nextInt(24) / 24), categorical),
                    positive ? "1" : "0", i + 2));
        }
        return new CsvDataset(Map.of("country", false, "device", false, "hour^h", true), rows);
    }

    private static LabeledExample example(final String modelId, final CsvDataset.Row row) {
        return LabeledExample.newBuilder().setModelId(modelId).setNumericFeatures(row.features().numeric())
                .setCategoricalFeatures(row.features().categorical()).setLabel(row.label()).build();
    }

    private static Event event(final String id, final String modelId, final Features features) {
        return Event.newBuilder().setId(id).setModelId(modelId).setNumericFeatures(features.numeric())
                .setCategoricalFeatures(features.categorical()).build();
    }

    private static Replay replay(final ModelSettings settings, final CsvDataset data) {
        final Replay replay = new Replay(settings, 100, new PrintWriter(new StringWriter()));
        replay.train(data);
        return replay;
    }


    @Test
    void trainingAndScoringUseTheModelsCrossesAndLearnExactlyAsReplay() {
        final ModelSettings crossed = settings("country:device");
        final CsvDataset train = rows(400, 1);
        final CsvDataset test = rows(50, 2);
        try (TopologyHarness h = new TopologyHarness(config(crossed), stateDir)) {
            for (final CsvDataset.Row row : train.rows()) {
                h.learn(example("m", row));
            }
            assertTrue(h.readDeadLetters().isEmpty());
            assertEquals(crossed.interactions(), h.trainedModel("m").settings().interactions(), "stored with the model");
            final Replay replay = replay(crossed, train);
            final ObjectNode exported = ModelSnapshot.fromStored(StoreEntries.of(h.weightsStore(), "m")).toJson();
            assertEquals(withoutAucWindow(replay.export()), withoutAucWindow(exported), "the same model, to the bit");
            // the crosses have rows, named by their documented names
            assertTrue(exported.get("weights").has("country=fr*device=ios"), exported.get("weights").toString());

            for (int i = 0; i < test.rows().size(); i++) {
                h.score("k" + i, event("e" + i, "m", test.rows().get(i).features()));
            }
            final List<Prediction> predictions = h.readPredictions().stream().map(kv -> kv.value).toList();
            assertEquals(test.rows().size(), predictions.size());
            int differ = 0;
            for (int i = 0; i < predictions.size(); i++) {
                final Features features = test.rows().get(i).features();
                final ModelOutput expected = replay.predict(features);
                final double served = predictions.get(i).getProbabilities().get("1");
                assertEquals(expected.probabilities()[1], served, 0.0, "event " + i + " scored as replay scores it");
                // the same model without the crosses in the vector would score otherwise
                final ModelOutput uncrossed = OnlineLogisticRegression.predict(replay.model(),
                        new FeatureHasher(crossed.hashBits()).vectorize(features, 100), replay.snapshot().weights());
                differ += uncrossed.probabilities()[1] != served ? 1 : 0;
            }
            assertEquals(predictions.size(), differ, "every event was scored with its crosses");
            // the cross makes the exclusive or learnable: the progressive accuracy says so
            assertTrue(h.trainedModel("m").metrics().accuracy() > 0.9, "accuracy " + h.trainedModel("m").metrics().accuracy());
        }
    }

    @Test
    void anImportedModelKeepsItsCrossesInAProcessorConfiguredWithout() {
        final ModelSettings crossed = settings("country:device");
        final CsvDataset train = rows(200, 3);
        final Replay replay = replay(crossed, train);
        try (TopologyHarness h = new TopologyHarness(config(settings("")), stateDir)) {
            ControlCommands.importParts("m", replay.snapshot(), ControlCommands.DEFAULT_PART_BYTES)
                    .forEach(c -> h.control.pipeInput(utf8(c.getModelId()), COMMANDS.encode(c)));
            assertTrue(h.readDeadLetters().isEmpty());
            final CsvDataset test = rows(20, 4);
            for (int i = 0; i < test.rows().size(); i++) {
                h.score("k" + i, event("e" + i, "m", test.rows().get(i).features()));
            }
            final List<Prediction> predictions = h.readPredictions().stream().map(kv -> kv.value).toList();
            for (int i = 0; i < predictions.size(); i++) {
                assertEquals(replay.predict(test.rows().get(i).features()).probabilities()[1],
                        predictions.get(i).getProbabilities().get("1"), 0.0, "event " + i);
            }
            // learning on from the import crosses too, as replay learning on does
            for (final CsvDataset.Row row : test.rows()) {
                h.learn(example("m", row));
            }
            replay.train(test);
            assertEquals(withoutAucWindow(replay.export()),
                    withoutAucWindow(ModelSnapshot.fromStored(StoreEntries.of(h.weightsStore(), "m")).toJson()));
            // a new model of this processor has none
            h.learn(example("fresh", test.rows().get(0)));
            assertEquals(Interactions.NONE, h.trainedModel("fresh").settings().interactions());
        }
    }

    @Test
    void anExampleOrEventWhoseCrossesPassTheFeatureLimitIsRefused() {
        final ModelSettings crossed = settings("a:b");
        final TopologyConfig config = config(crossed).withLimits(Limits.DEFAULT.withRecord(7, Limits.DEFAULT.recordBytes()));
        final Map<String, Double> numeric = Map.of("a^1", 1.0, "a^2", 1.0, "b^1", 1.0, "b^2", 1.0);
        try (TopologyHarness h = new TopologyHarness(config, stateDir)) {
            h.learn(TopologyHarness.example("m", numeric, "1"));
            h.learn(TopologyHarness.example("m", Map.of("a^1", 1.0, "b^1", 1.0), "1"));
            h.score("k", TopologyHarness.event("e", "m", numeric));
            final List<TestRecord<byte[], byte[]>> dead = h.readDeadLetters();
            assertEquals(2, dead.size());
            for (final TestRecord<byte[], byte[]> r : dead) {
                final DeadLetter letter = DEAD_LETTERS.decode(r.value());
                assertEquals(RejectReason.TOO_MANY_FEATURES.name(), letter.getReason());
                assertEquals("8 features with the crosses of the model's interactions (4 named, 4 crossed), more"
                        + " than the limit of 7", letter.getDetail());
            }
            assertEquals(1, h.trainedModel("m").version(), "the example within the limit is learned");
            assertNotEquals(0, StoreEntries.of(h.weightsStore(), "m").size());
        }
    }
}
