package io.kafkaolr.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kafkaolr.offline.CsvDataset;
import io.kafkaolr.testing.Datasets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Normalisation makes learning independent of a feature's units; softmax models grow classes for every optimizer. */
class NormalizationAndClassesTest {
    private static final FeatureHasher HASHER = new FeatureHasher(18);

    /** One pass over breast-cancer with every value of {@code column} multiplied by {@code factor}: progressive losses, then test probabilities. */
    private static List<Double> learnWithColumnScaled(final ModelSettings settings, final String column, final double factor) {
        return learnWithColumnChanged(settings, column, factor, 0);
    }

    /** As {@link #learnWithColumnScaled}, with {@code shift} added to every value of {@code column} after scaling. */
    private static List<Double> learnWithColumnChanged(final ModelSettings settings, final String column,
                                                       final double factor, final double shift) {
        final ModelState model = ModelState.fresh(settings);
        final ModelRows weights = new ModelRows();
        final List<Double> out = new ArrayList<>();
        for (final CsvDataset.Row row : Datasets.read("breast-cancer/train.csv").rows()) {
            out.add(OnlineLogisticRegression.learn(model, vector(row, column, factor, shift), row.label(), 1.0, weights).logLoss());
        }
        for (final CsvDataset.Row row : Datasets.read("breast-cancer/test.csv").rows()) {
            out.add(OnlineLogisticRegression.predict(model, vector(row, column, factor, shift), weights).probabilities()[1]);
        }
        return out;
    }

    private static SparseVector vector(final CsvDataset.Row row, final String column, final double factor,
                                       final double shift) {
        final Map<String, Double> numeric = new HashMap<>(row.features().numeric());
        numeric.computeIfPresent(column, (k, v) -> v * factor + shift);
        return HASHER.vectorize(new Features(numeric, Map.of()), 100);
    }

    private static ModelSettings normalised(final Optimizer optimizer, final Normalization normalization) {
        return ModelSettings.binary(0.1, LearningRateSchedule.CONSTANT)
                .withPenalties(optimizer == Optimizer.FTRL ? 0.1 : 0, 1e-4).withOptimizer(optimizer, 0.1)
                .withNormalization(normalization);
    }

    static Stream<Arguments> optimizersByNormalization() {
        return Stream.of(Normalization.SCALE, Normalization.STANDARDIZE)
                .flatMap(n -> Arrays.stream(Optimizer.values()).map(o -> Arguments.of(o, n)));
    }

    @ParameterizedTest
    @MethodSource("optimizersByNormalization")
    void rescalingAFeatureByAPowerOfTwoChangesNothingToTheBit(final Optimizer optimizer, final Normalization normalization) {
        final List<Double> original = learnWithColumnScaled(normalised(optimizer, normalization), "mean_area", 1);
        final List<Double> scaled = learnWithColumnScaled(normalised(optimizer, normalization), "mean_area", 1024);
        final List<Double> flipped = learnWithColumnScaled(normalised(optimizer, normalization), "worst_area", -1.0 / 64);
        assertEquals(original, scaled);
        assertEquals(original, flipped);
    }

    @ParameterizedTest
    @MethodSource("optimizersByNormalization")
    void rescalingAFeatureByAnyFactorChangesNothingBeyondRounding(final Optimizer optimizer, final Normalization normalization) {
        final double[] original = array(learnWithColumnScaled(normalised(optimizer, normalization), "mean_area", 1));
        final double[] scaled = array(learnWithColumnScaled(normalised(optimizer, normalization), "mean_area", 1e-3));
        assertArrayEquals(original, scaled, 1e-9);
        // without normalisation the same rescaling changes what is learned: the check above can fail
        final ModelSettings raw = normalised(optimizer, Normalization.NONE);
        assertTrue(largestDifference(learnWithColumnScaled(raw, "mean_area", 1), learnWithColumnScaled(raw, "mean_area", 1e-3)) > 1e-3);
    }

    @ParameterizedTest
    @EnumSource(Optimizer.class)
    void standardisingMakesLearningInvariantToShiftingADenseFeature(final Optimizer optimizer) {
        final ModelSettings standardized = normalised(optimizer, Normalization.STANDARDIZE);
        final double[] original = array(learnWithColumnChanged(standardized, "mean_radius", 1, 0));
        final double[] shifted = array(learnWithColumnChanged(standardized, "mean_radius", 1, 1000));
        assertArrayEquals(original, shifted, 1e-9);
        // scaling alone is not: a feature far from zero is nearly collinear with the bias
        final ModelSettings scaled = normalised(optimizer, Normalization.SCALE);
        assertTrue(largestDifference(learnWithColumnChanged(scaled, "mean_radius", 1, 0),
                learnWithColumnChanged(scaled, "mean_radius", 1, 1000)) > 1e-3);
    }

    private static double largestDifference(final List<Double> a, final List<Double> b) {
        double largest = 0;
        for (int i = 0; i < a.size(); i++) {
            largest = Math.max(largest, Math.abs(a.get(i) - b.get(i)));
        }
        return largest;
    }

    @Test
    void aDenseFeatureIsStandardisedByItsRunningMeanAndDeviationIncludingTheCurrentValue() {
        final ModelState model = ModelState.fresh(ModelSettings.binary(0.1, LearningRateSchedule.CONSTANT)
                .withNormalization(Normalization.STANDARDIZE));
        final ModelRows weights = new ModelRows();
        // first value 1: its own mean, deviation 0, so it enters as 0; only the bias moves
        OnlineLogisticRegression.learn(model, SparseVector.of(new int[] {4}, new double[] {1.0}), "1", 1.0, weights);
        assertEquals(0.0, weights.current(model, 4, 0), 0.0);
        assertEquals(0.05, OnlineLogisticRegression.bias(model)[0], 1e-15);
        // second value 3: mean 2, population deviation 1, so it enters as (3 - 2) / 1 = 1
        final StepResult second = OnlineLogisticRegression.learn(model, SparseVector.of(new int[] {4}, new double[] {3.0}),
                "0", 1.0, weights);
        assertEquals(0.05, second.progressive().logit(), 1e-15);
        final double p = Numerics.sigmoid(0.05);
        final double w = -0.1 * p;
        final double b = 0.05 - 0.1 * p;
        final WeightRow row = weights.read(4);
        assertEquals(2.0, row.mean(), 0.0);
        assertEquals(1.0, row.deviation(), 0.0);
        assertTrue(row.standardizedAt(model.version()));
        assertEquals(b, OnlineLogisticRegression.bias(model)[0], 1e-15);
        // served in the feature's units: w per unit of (x - mean)
        assertEquals(w, OnlineLogisticRegression.weight(model, row, 0), 1e-15);
        assertEquals(b + w * (5.0 - 2.0), OnlineLogisticRegression.predict(model,
                SparseVector.of(new int[] {4}, new double[] {5.0}), weights).logit(), 1e-15);
    }

    @Test
    void aFeatureAbsentFromAnExampleIsScaledNotCentredSoThatAnIndicatorKeepsItsMeaning() {
        final ModelState model = ModelState.fresh(ModelSettings.binary(0.5, LearningRateSchedule.CONSTANT)
                .withOptimizer(Optimizer.ADAGRAD, 0.5).withNormalization(Normalization.STANDARDIZE));
        final ModelRows weights = new ModelRows();
        final SparseVector always = SparseVector.of(new int[] {1}, new double[] {2.0});
        final SparseVector withIndicator = SparseVector.of(new int[] {1, 2}, new double[] {2.0, 1.0});
        OnlineLogisticRegression.learn(model, always, "0", 1.0, weights);
        assertTrue(weights.read(1).standardizedAt(model.version()));
        for (int i = 0; i < 200; i++) {
            OnlineLogisticRegression.learn(model, withIndicator, "1", 1.0, weights);
            OnlineLogisticRegression.learn(model, always, "0", 1.0, weights);
        }
        // feature 1 has been present in every example: standardised (constant, so it carries nothing)
        assertTrue(weights.read(1).standardizedAt(model.version()));
        assertEquals(0.0, OnlineLogisticRegression.weight(model, weights.read(1), 0), 0.0);
        // the indicator, absent from half the examples, is scaled: always 1 when present, yet it learns
        assertTrue(Double.isNaN(weights.read(2).mean()));
        assertTrue(OnlineLogisticRegression.predict(model, withIndicator, weights).probabilities()[1] > 0.9);
        assertTrue(OnlineLogisticRegression.predict(model, always, weights).probabilities()[1] < 0.1);
        // feature 1 missing once: scaled from then on
        OnlineLogisticRegression.learn(model, SparseVector.of(new int[] {2}, new double[] {1.0}), "1", 1.0, weights);
        OnlineLogisticRegression.learn(model, always, "0", 1.0, weights);
        assertTrue(!weights.read(1).standardizedAt(model.version()));
    }

    private static double[] array(final List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Least squares refits every weight on every example: its class growth is in LogitLeastSquaresTest. */
    @ParameterizedTest
    @EnumSource(value = Optimizer.class, mode = EnumSource.Mode.EXCLUDE, names = "RLS")
    void aSoftmaxModelGrowsAClassWithoutDisturbingTheOthers(final Optimizer optimizer) {
        final ModelState model = ModelState.fresh(ModelSettings.softmax(0.3, LearningRateSchedule.CONSTANT)
                .withOptimizer(optimizer, 0.3).withNormalization(Normalization.SCALE));
        final ModelRows weights = new ModelRows();
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
        assertLearnsEachClass(model, weights, a, b, c, 20);
    }

    /** After {@code rounds} more of c, a and b, each of them is predicted as its own class. */
    static void assertLearnsEachClass(final ModelState model, final ModelRows weights, final SparseVector a,
                                      final SparseVector b, final SparseVector c, final int rounds) {
        for (int i = 0; i < rounds; i++) {
            OnlineLogisticRegression.learn(model, c, "c", 1.0, weights);
            OnlineLogisticRegression.learn(model, a, "a", 1.0, weights);
            OnlineLogisticRegression.learn(model, b, "b", 1.0, weights);
        }
        assertEquals("c", OnlineLogisticRegression.predict(model, c, weights).predictedLabel());
        assertEquals("a", OnlineLogisticRegression.predict(model, a, weights).predictedLabel());
        assertEquals("b", OnlineLogisticRegression.predict(model, b, weights).predictedLabel());
    }
}
