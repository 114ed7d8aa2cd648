package io.kafkaolr.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kafkaolr.app.CsvDataset;
import io.kafkaolr.testing.Datasets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Normalisation makes learning independent of a feature's units; softmax models grow classes for every optimizer. */
class NormalizationAndClassesTest {
    private static final FeatureHasher HASHER = new FeatureHasher(18);

    /** One pass over breast-cancer with every value of {@code column} multiplied by {@code factor}: progressive losses, then test probabilities. */
    private static List<Double> learnWithColumnScaled(final ModelSettings settings, final String column, final double factor) {
        final ModelState model = ModelState.fresh(settings);
        final HashMapWeights weights = new HashMapWeights();
        final List<Double> out = new ArrayList<>();
        for (final CsvDataset.Row row : Datasets.read("breast-cancer/train.csv").rows()) {
            out.add(OnlineLogisticRegression.learn(model, vector(row, column, factor), row.label(), 1.0, weights).logLoss());
        }
        for (final CsvDataset.Row row : Datasets.read("breast-cancer/test.csv").rows()) {
            out.add(OnlineLogisticRegression.predict(model, vector(row, column, factor), weights).probabilities()[1]);
        }
        return out;
    }

    private static SparseVector vector(final CsvDataset.Row row, final String column, final double factor) {
        final Map<String, Double> numeric = new HashMap<>(row.features().numeric());
        numeric.computeIfPresent(column, (k, v) -> v * factor);
        return HASHER.vectorize(new Features(numeric, Map.of()), 100);
    }

    private static ModelSettings normalised(final Optimizer optimizer) {
        return ModelSettings.binary(0.1, LearningRateSchedule.CONSTANT).withOptimizer(optimizer, 0.1)
                .withPenalties(optimizer == Optimizer.FTRL ? 0.1 : 0, 1e-4).withNormalize(true);
    }

    @ParameterizedTest
    @EnumSource(Optimizer.class)
    void rescalingAFeatureByAPowerOfTwoChangesNothingToTheBit(final Optimizer optimizer) {
        final List<Double> original = learnWithColumnScaled(normalised(optimizer), "mean_area", 1);
        final List<Double> scaled = learnWithColumnScaled(normalised(optimizer), "mean_area", 1024);
        final List<Double> flipped = learnWithColumnScaled(normalised(optimizer), "worst_area", -1.0 / 64);
        assertEquals(original, scaled);
        assertEquals(original, flipped);
    }

    @ParameterizedTest
    @EnumSource(Optimizer.class)
    void rescalingAFeatureByAnyFactorChangesNothingBeyondRounding(final Optimizer optimizer) {
        final double[] original = array(learnWithColumnScaled(normalised(optimizer), "mean_area", 1));
        final double[] scaled = array(learnWithColumnScaled(normalised(optimizer), "mean_area", 1e-3));
        assertArrayEquals(original, scaled, 1e-9);
        // without normalisation the same rescaling changes what is learned: the check above can fail
        final double[] raw = array(learnWithColumnScaled(normalised(optimizer).withNormalize(false), "mean_area", 1));
        final double[] rawScaled = array(learnWithColumnScaled(normalised(optimizer).withNormalize(false), "mean_area", 1e-3));
        double largest = 0;
        for (int i = 0; i < raw.length; i++) {
            largest = Math.max(largest, Math.abs(raw[i] - rawScaled[i]));
        }
        assertTrue(largest > 1e-3, "raw features: largest difference " + largest);
    }

    private static double[] array(final List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    @ParameterizedTest
    @EnumSource(Optimizer.class)
    void aSoftmaxModelGrowsAClassWithoutDisturbingTheOthers(final Optimizer optimizer) {
        final ModelState model = ModelState.fresh(ModelSettings.softmax(0.3, LearningRateSchedule.CONSTANT)
                .withOptimizer(optimizer, 0.3).withNormalize(true));
        final HashMapWeights weights = new HashMapWeights();
        final SparseVector a = SparseVector.of(new int[] {1, 2}, new double[] {1.0, 3.0});
        final SparseVector b = SparseVector.of(new int[] {3}, new double[] {-2.0});
        for (int i = 0; i < 50; i++) {
            OnlineLogisticRegression.learn(model, a, "a", 1.0, weights);
            OnlineLogisticRegression.learn(model, b, "b", 1.0, weights);
        }
        final double[] rowsBefore = {weights.current(model, 1, 0), weights.current(model, 1, 1),
            weights.current(model, 3, 0), weights.current(model, 3, 1)};
        final double[] biasBefore = OnlineLogisticRegression.bias(model);

        final SparseVector c = SparseVector.of(new int[] {7}, new double[] {5.0});
        final StepResult first = OnlineLogisticRegression.learn(model, c, "c", 1.0, weights);

        assertEquals(List.of("a", "b", "c"), model.classes());
        assertEquals(3, first.progressive().probabilities().length);
        assertArrayEquals(new long[] {50, 50, 1}, model.classCounts());
        // the new class was scored at zero weight and bias: its logit on c was 0
        assertEquals(0.0, first.progressive().logits()[2], 0.0);
        // rows c does not touch keep their weights for a and b, and have none for c
        final ModelSettings s = model.settings();
        final double[] rowsAfter = {weights.current(model, 1, 0), weights.current(model, 1, 1),
            weights.current(model, 3, 0), weights.current(model, 3, 1)};
        if (s.optimizer() == Optimizer.ASGD) {
            // the mean over one more step: (t * mean + unchanged iterate) / (t + 1) moves, the iterate does not
            assertTrue(Math.abs(rowsAfter[0]) > 0);
        } else {
            assertArrayEquals(rowsBefore, rowsAfter, 0.0);
        }
        assertEquals(0.0, weights.current(model, 1, 2), 0.0);
        assertEquals(0.0, weights.current(model, 3, 2), 0.0);
        assertEquals(3, OnlineLogisticRegression.bias(model).length);
        assertTrue(biasBefore[0] != 0 && biasBefore[1] != 0);
        // and it learns: c becomes the prediction for c, a and b stay those of theirs
        for (int i = 0; i < 20; i++) {
            OnlineLogisticRegression.learn(model, c, "c", 1.0, weights);
            OnlineLogisticRegression.learn(model, a, "a", 1.0, weights);
            OnlineLogisticRegression.learn(model, b, "b", 1.0, weights);
        }
        assertEquals("c", OnlineLogisticRegression.predict(model, c, weights).predictedLabel());
        assertEquals("a", OnlineLogisticRegression.predict(model, a, weights).predictedLabel());
        assertEquals("b", OnlineLogisticRegression.predict(model, b, weights).predictedLabel());
    }
}
