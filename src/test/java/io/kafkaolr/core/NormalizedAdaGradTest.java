package io.kafkaolr.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The normalised adaptive gradient ({@link Optimizer#NAG}, docs/MATH.md): a second step worked
 * from the formulas, what its normalisation promises (a step that does not grow with the
 * number of active features; with the model's feature normalisation, no prediction that
 * depends on a feature's units) and the settings it refuses.
 */
class NormalizedAdaGradTest {

    private static ModelSettings nag(final double eta, final Normalization normalization) {
        return new ModelSettings(ModelType.BINARY, 18, Optimizer.NAG, eta, LearningRateSchedule.CONSTANT, 0.5, 0, 0, 1.0,
                normalization, 1, ModelSettings.DEFAULT_LABEL_CLIP, ModelSettings.DEFAULT_MAX_DIMENSION,
                List.of("0", "1"), false, Interactions.NONE);
    }

    private static final double EPS = ModelSettings.ADAGRAD_EPSILON;

    @Test
    void secondStepDividesByTheRootOfTheMeanSquaredNormSoFar() {
        final ModelState model = ModelState.fresh(nag(0.5, Normalization.NONE));
        final ModelRows rows = new ModelRows();
        // step 1, x = {0: 2}, y = 1: p = 0.5; N = 1 + 4 = 5, T = 1
        OnlineLogisticRegression.learn(model, SparseVector.of(new int[] {0}, new double[] {2.0}), "1", 1.0, rows);
        final double r1 = 0.5 * Math.pow(1.0 / 5, 0.75);
        final double w0 = r1 * 1 / (1 + 1 + EPS);
        final double b = r1 * 0.5 / (1 + 0.5 + EPS);
        assertEquals(w0, rows.current(model, 0, 0), 1e-15);
        // step 2, x = {0: 2, 1: 4}, y = 0, importance 2: N = 5 + 2 (1 + 4 + 16) = 47, T = 3
        final SparseVector x2 = SparseVector.of(new int[] {0, 1}, new double[] {2.0, 4.0});
        final StepResult second = OnlineLogisticRegression.learn(model, x2, "0", 2.0, rows);
        final double z = 2 * w0 + b;
        assertEquals(z, second.progressive().logit(), 1e-15);
        final double p = 1 / (1 + Math.exp(-z));
        final double r2 = 0.5 * Math.pow(3.0 / 47, 0.75);
        final double g0 = 2 * p * 2;
        final double g1 = 2 * p * 4;
        final double gb = 2 * p;
        assertEquals(w0 - r2 * g0 / (1 + Math.sqrt(1 + g0 * g0) + EPS), rows.current(model, 0, 0), 1e-15);
        assertEquals(-r2 * g1 / (1 + Math.sqrt(g1 * g1) + EPS), rows.current(model, 1, 0), 1e-15);
        assertEquals(b - r2 * gb / (1 + Math.sqrt(0.25 + gb * gb) + EPS), OnlineLogisticRegression.bias(model)[0],
                1e-15);
    }

    /** How much one step on {@code x} (label 1) moves the logit of {@code x}, from a fresh model. */
    private static double firstLogitChange(final ModelSettings s, final int activeFeatures) {
        final int[] idx = new int[activeFeatures];
        final double[] val = new double[activeFeatures];
        for (int j = 0; j < activeFeatures; j++) {
            idx[j] = j;
            val[j] = 1.0;
        }
        final SparseVector x = SparseVector.of(idx, val);
        final ModelState model = ModelState.fresh(s);
        final ModelRows rows = new ModelRows();
        OnlineLogisticRegression.learn(model, x, "1", 1.0, rows);
        return OnlineLogisticRegression.predict(model, x, rows).logit();
    }

    @Test
    void anExampleWithTwiceAsManyActiveFeaturesDoesNotGetATwiceAsLargeStep() {
        // NAG: each weight moves by r / 3 with r = 0.5 / (k + 1)^(3/4), so the logit by 0.5 (k + 1)^(1/4) / 3
        final double eight = firstLogitChange(nag(0.5, Normalization.NONE), 8);
        final double sixteen = firstLogitChange(nag(0.5, Normalization.NONE), 16);
        assertEquals(0.5 * Math.pow(9, 0.25) / 3, eight, 1e-7); // the eps of 1e-8 beside beta + sqrt(G) = 1.5
        assertEquals(Math.pow(17.0 / 9, 0.25), sixteen / eight, 1e-7);
        assertTrue(sixteen / eight < 1.2, "the step grows as the fourth root of the norm: " + sixteen / eight);
        // AdaGrad, for contrast: every weight moves by eta whatever the number of features
        final ModelSettings adagrad = nag(0.5, Normalization.NONE).withOptimizer(Optimizer.ADAGRAD, 0.5);
        assertEquals(17.0 / 9, firstLogitChange(adagrad, 16) / firstLogitChange(adagrad, 8), 1e-7);
    }

    /** The mean absolute change of the progressive logit of each example over a stream with {@code k} active features. */
    private static double meanStepOnAStream(final int k) {
        final ModelState model = ModelState.fresh(nag(5, Normalization.STANDARDIZE));
        final ModelRows rows = new ModelRows();
        final Random random = new Random(11);
        double sum = 0;
        final int steps = 3000;
        for (int t = 0; t < steps; t++) {
            final int[] idx = new int[k];
            final double[] val = new double[k];
            double signal = 0;
            for (int j = 0; j < k; j++) {
                idx[j] = j;
                val[j] = random.nextGaussian();
                signal += val[j] / Math.sqrt(k);
            }
            final SparseVector x = SparseVector.of(idx, val);
            final String label = random.nextDouble() < 1 / (1 + Math.exp(-2 * signal)) ? "1" : "0";
            final double before = OnlineLogisticRegression.learn(model, x, label, 1.0, rows).progressive().logit();
            final double after = OnlineLogisticRegression.predict(model, x, rows).logit();
            if (t >= steps / 2) {
                sum += Math.abs(after - before);
            }
        }
        return sum / (steps - steps / 2);
    }

    @Test
    void onAStreamTwiceAsManyActiveFeaturesDoNotDoubleTheSteps() {
        final double ten = meanStepOnAStream(10);
        final double twenty = meanStepOnAStream(20);
        assertTrue(twenty / ten < 1.4, "mean logit change per step: 10 features " + ten + ", 20 features " + twenty);
    }

    /** The progressive logits of a stream of dense and sparse features, the features {@code 2} and {@code 7} times {@code c2} and {@code c7}. */
    private static double[] progressiveLogits(final ModelSettings s, final double c2, final double c7) {
        final ModelState model = ModelState.fresh(s);
        final ModelRows rows = new ModelRows();
        final Random random = new Random(3);
        final double[] logits = new double[2000];
        for (int t = 0; t < logits.length; t++) {
            // features 0..4 in every example (standardised), 5..24 now and then (scaled)
            final int[] idx = new int[8];
            final double[] val = new double[8];
            for (int j = 0; j < 5; j++) {
                idx[j] = j;
                val[j] = 10 + 3 * random.nextGaussian();
            }
            for (int j = 5; j < 8; j++) {
                idx[j] = 5 + random.nextInt(20);
                val[j] = random.nextDouble();
            }
            double signal = -10 + val[0] / 2 - (val[2] - 10) / 3;
            for (int j = 5; j < 8; j++) {
                signal += idx[j] % 2 == 0 ? val[j] : -val[j];
            }
            final String label = random.nextDouble() < 1 / (1 + Math.exp(-signal)) ? "1" : "0";
            for (int j = 0; j < 8; j++) {
                val[j] *= idx[j] == 2 ? c2 : idx[j] == 7 ? c7 : 1;
            }
            logits[t] = OnlineLogisticRegression.learn(model, SparseVector.of(idx, val), label, 1.0, rows)
                    .progressive().logit();
        }
        return logits;
    }

    @Test
    void scalingAFeatureChangesNoPredictionOfTheDefaultLearner() {
        final ModelSettings defaults = nag(5, Normalization.STANDARDIZE);
        final double[] raw = progressiveLogits(defaults, 1, 1);
        // a power of two scales every statistic exactly: the same numbers to the bit
        final double[] binary = progressiveLogits(defaults, 1024, 1.0 / 64);
        // other units: the same up to rounding
        final double[] decimal = progressiveLogits(defaults, 1000, 0.001);
        for (int t = 0; t < raw.length; t++) {
            assertEquals(raw[t], binary[t], 0.0, "step " + t);
            assertEquals(raw[t], decimal[t], 1e-9 * Math.max(1, Math.abs(raw[t])), "step " + t);
        }
        assertTrue(Math.abs(raw[raw.length - 1]) > 0.1, "the model learned");
        // without normalisation the units matter: the same stream learns other logits
        final double[] unnormalised = progressiveLogits(nag(5, Normalization.NONE), 1, 1);
        final double[] unnormalisedScaled = progressiveLogits(nag(5, Normalization.NONE), 1000, 0.001);
        assertTrue(Math.abs(unnormalised[raw.length - 1] - unnormalisedScaled[raw.length - 1]) > 1e-3);
    }

    @Test
    void anExampleWhoseSquaredNormOverflowsIsRefusedAndLeavesTheModelUnchanged() {
        final ModelState model = ModelState.fresh(nag(5, Normalization.NONE));
        final ModelRows rows = new ModelRows();
        OnlineLogisticRegression.learn(model, SparseVector.of(new int[] {0}, new double[] {1.0}), "1", 1.0, rows);
        final double[] clock = model.clock();
        final RejectedInputException e = assertThrows(RejectedInputException.class, () -> OnlineLogisticRegression
                .learn(model, SparseVector.of(new int[] {1}, new double[] {1.5e154}), "1", 1.0, rows));
        assertEquals(RejectReason.NUMERIC_OVERFLOW, e.reason());
        assertEquals(1, model.version());
        org.junit.jupiter.api.Assertions.assertArrayEquals(clock, model.clock(), 0.0);
    }

    @Test
    void refusesMiniBatchesAndAFirstStepThatWouldFlipTheWeights() {
        assertThrows(IllegalArgumentException.class, () -> nag(0.5, Normalization.NONE).withBatchSize(2));
        assertThrows(IllegalArgumentException.class, () -> nag(5, Normalization.NONE).withPenalties(0, 0.2));
        nag(5, Normalization.NONE).withPenalties(0.1, 0.19);
    }
}
