package io.kafkaolr.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.core.FeatureHasher;
import io.kafkaolr.core.Features;
import io.kafkaolr.core.ModelRows;
import io.kafkaolr.core.Limits;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.OnlineLogisticRegression;
import io.kafkaolr.core.SparseVector;
import io.kafkaolr.core.StepResult;
import io.kafkaolr.core.WeightRow;
import io.kafkaolr.serde.ModelStateCodec;
import io.kafkaolr.topology.TopologyConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What the exactly-once tests compare the model topic with: the model of one uninterrupted pass
 * over the examples, computed in this JVM with the core, entry by entry and to the bit; and the
 * random examples they learn from.
 */
final class UninterruptedRun {
    private UninterruptedRun() {
    }

    /** A random binary example of {@code model}: 20 numeric features of 500, one colour of 30, a noisy linear label. */
    static LabeledExample randomExample(final String model, final Random random) {
        final Map<String, Double> numeric = new HashMap<>();
        double margin = 0;
        for (int k = 0; k < 20; k++) {
            final int feature = random.nextInt(500);
            final double value = random.nextGaussian();
            numeric.merge("f" + feature, value, Double::sum);
            margin += (feature % 7 - 3) * value;
        }
        final String colour = "c" + random.nextInt(30);
        margin += colour.hashCode() % 3;
        return LabeledExample.newBuilder().setModelId(model).setNumericFeatures(numeric)
                .setCategoricalFeatures(Map.of("colour", colour))
                .setLabel(margin + random.nextGaussian() > 0 ? "1" : "0").build();
    }

    /**
     * Polls {@code reader} until the committed version of every model of {@code sent} is the
     * number of its examples sent, failing at once if one is higher (an example learned twice);
     * then polls a few more times, so that a later publication of the same version would be seen.
     */
    static void awaitLearned(final ModelTopicReader reader, final Map<String, List<LabeledExample>> sent,
                             final Duration timeout, final Supplier<String> context) {
        KafkaFixture.await(() -> {
            reader.poll();
            sent.forEach((model, examples) -> assertTrue(reader.version(model) <= examples.size(),
                    model + " learned " + reader.version(model) + " examples of " + examples.size() + " sent; "
                            + context.get()));
            return sent.entrySet().stream().allMatch(e -> reader.version(e.getKey()) == e.getValue().size());
        }, timeout, () -> "versions " + sent.keySet().stream().map(reader::version).toList() + " of "
                + sent.values().stream().map(List::size).toList() + "; " + context.get());
        for (int i = 0; i < 10; i++) {
            reader.poll();
        }
    }

    /**
     * Asserts that {@code published}, the latest entries of {@code modelId} on the model topic,
     * are those of one uninterrupted pass over {@code examples} with {@code settings}: every
     * weight row, the header (bias, scale, metrics, the version and example count being the
     * number of examples), the AUC window and the feature names, bitwise, and no other entry.
     */
    static void assertBitwise(final String modelId, final List<LabeledExample> examples,
                              final ModelSettings settings, final Map<Integer, byte[]> published) {
        final ModelState reference = ModelState.fresh(settings);
        final ModelRows weights = new ModelRows();
        final FeatureHasher hasher = new FeatureHasher(settings.hashBits());
        final Set<Integer> touched = new HashSet<>();
        final Map<Integer, byte[]> window = new HashMap<>();
        final int windowSize = TopologyConfig.MetricsOutput.DEFAULT.aucWindow();
        // each row's feature names, written once, by the example that created the row
        final Map<Integer, Set<String>> names = new HashMap<>();
        for (final LabeledExample e : examples) {
            final SparseVector x = hasher.vectorize(new Features(e.getNumericFeatures(), e.getCategoricalFeatures()),
                    Limits.DEFAULT_FEATURES);
            final List<String> exampleNames = new ArrayList<>(e.getNumericFeatures().keySet());
            e.getCategoricalFeatures().forEach((k, v) -> exampleNames.add(FeatureHasher.categoricalName(k, v)));
            for (final String name : exampleNames) {
                final int index = hasher.index(name);
                if (!touched.contains(index)) {
                    names.computeIfAbsent(index, i -> new HashSet<>()).add(name);
                }
            }
            final StepResult step = OnlineLogisticRegression.learn(reference, x, e.getLabel(), e.getImportance(), weights);
            window.put(ModelStateCodec.windowIndex(reference.version(), windowSize),
                    ModelStateCodec.encodeWindowEntry(step.progressive().probabilities()[1], step.labelIndex() == 1));
            for (int j = 0; j < x.size(); j++) {
                touched.add(x.indexAt(j));
            }
        }
        final ModelState header = ModelStateCodec.decodeHeader(published.get(ModelStateCodec.HEADER_INDEX));
        assertEquals(examples.size(), header.version(), modelId + ": updates applied");
        assertEquals(examples.size(), header.metrics().examples(), modelId + ": examples counted");
        assertArrayEquals(ModelStateCodec.encodeHeader(reference), published.get(ModelStateCodec.HEADER_INDEX),
                modelId + ": header (bias, scale, metrics) bitwise");
        assertEquals(touched.size() + 1 + window.size() + names.size(), published.size(),
                modelId + ": rows, header, AUC window and feature names published");
        names.forEach((index, expected) -> assertEquals(expected, Set.copyOf(ModelStateCodec.decodeNames(
                published.get(ModelStateCodec.namesIndex(index)))), modelId + ": names of row " + index));
        window.forEach((index, entry) -> assertArrayEquals(entry, published.get(index),
                modelId + ": AUC window entry " + index));
        for (final Integer index : touched) {
            final WeightRow row = weights.read(index);
            assertArrayEquals(ModelStateCodec.encodeRow(row), published.get(index), modelId + ": row " + index);
        }
    }
}
