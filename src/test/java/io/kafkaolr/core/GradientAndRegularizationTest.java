package io.kafkaolr.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The step's gradient against finite differences, lazy L2 against eager L2, softmax(K=2) against binary. */
class GradientAndRegularizationTest {

    /** A model with random weights on indices 0..d-1 and random biases, written through the public API. */
    private static ModelRows randomWeights(final int d, final int logits, final Random random) {
        final ModelRows weights = new ModelRows();
        for (int i = 0; i < d; i++) {
            final double[] row = new double[logits];
            for (int k = 0; k < logits; k++) {
                row[k] = random.nextGaussian();
            }
            weights.write(i, sgdRow(row));
        }
        return weights;
    }

    private static WeightRow sgdRow(final double[] weights) {
        return new WeightRow(0, new double[2], 0, 0, weights);
    }

    private static double lossAt(final ModelState model, final SparseVector x, final ModelRows weights, final int y) {
        return -Math.log(OnlineLogisticRegression.predict(model, x, weights).probabilities()[y]);
    }

    @Test
    void theStepMovesEachWeightByEtaTimesTheFiniteDifferenceGradient() {
        final Random random = new Random(7);
        for (final ModelType type : ModelType.values()) {
            final List<String> classes = type == ModelType.BINARY ? List.of("0", "1") : List.of("a", "b", "c");
            final ModelSettings settings = new ModelSettings(type, 18, Optimizer.SGD, 1e-3, LearningRateSchedule.CONSTANT, 0.5, 0.0, 0.0, 1.0, Normalization.NONE, 1, ModelSettings.DEFAULT_LABEL_CLIP, ModelSettings.DEFAULT_MAX_DIMENSION,
                    classes, false, Interactions.NONE);
            final int logits = settings.logitsFor(classes.size());
            final int d = 5;
            final SparseVector x = SparseVector.of(new int[] {0, 2, 3}, new double[] {0.7, -1.3, 2.1});
            final int y = 1;
            final double[] bias = new double[logits];
            for (int k = 0; k < logits; k++) {
                bias[k] = random.nextGaussian();
            }
            final ModelRows weights = randomWeights(d, logits, random);
            final ModelState before = new ModelState(settings, classes, 0, new double[2], bias, ProgressiveMetrics.EMPTY, new long[classes.size()]);

            // numerical gradient of the loss by central differences
            final double h = 1e-6;
            final double[][] numerical = new double[x.size()][logits];
            for (int j = 0; j < x.size(); j++) {
                for (int k = 0; k < logits; k++) {
                    final int index = x.indexAt(j);
                    final double[] row = weights.read(index).slots().clone();
                    final double original = row[k];
                    row[k] = original + h;
                    weights.write(index, sgdRow(row.clone()));
                    final double plus = lossAt(before, x, weights, y);
                    row[k] = original - h;
                    weights.write(index, sgdRow(row.clone()));
                    final double minus = lossAt(before, x, weights, y);
                    row[k] = original;
                    weights.write(index, sgdRow(row.clone()));
                    numerical[j][k] = (plus - minus) / (2 * h);
                }
            }
            final double[] numericalBias = new double[logits];
            for (int k = 0; k < logits; k++) {
                final double[] b = bias.clone();
                b[k] += h;
                final double plus = lossAt(new ModelState(settings, classes, 0, new double[2], b, ProgressiveMetrics.EMPTY, new long[classes.size()]), x, weights, y);
                b[k] -= 2 * h;
                final double minus = lossAt(new ModelState(settings, classes, 0, new double[2], b, ProgressiveMetrics.EMPTY, new long[classes.size()]), x, weights, y);
                numericalBias[k] = (plus - minus) / (2 * h);
            }

            final double[][] w0 = new double[x.size()][];
            for (int j = 0; j < x.size(); j++) {
                w0[j] = weights.read(x.indexAt(j)).slots().clone();
            }
            final double untouched = weights.read(1).slots()[0];
            final double eta = settings.learningRate();
            OnlineLogisticRegression.learn(before, x, classes.get(y), 1.0, weights);

            for (int j = 0; j < x.size(); j++) {
                for (int k = 0; k < logits; k++) {
                    final double step = (w0[j][k] - weights.read(x.indexAt(j)).slots()[k]) / eta;
                    assertEquals(numerical[j][k], step, 1e-6, type + " gradient of w[" + x.indexAt(j) + "][" + k + "]");
                    assertTrue(Math.abs(step) > 1e-3, "a gradient to compare");
                }
            }
            for (int k = 0; k < logits; k++) {
                assertEquals(numericalBias[k], (bias[k] - OnlineLogisticRegression.bias(before)[k]) / eta, 1e-6, type + " gradient of bias " + k);
            }
            assertEquals(untouched, weights.read(1).slots()[0], 0.0, "a feature absent from x is not touched");
        }
    }

    @Test
    void lazyL2EqualsEagerL2OnASparseStream() {
        final Random random = new Random(11);
        final int d = 40;
        final List<String> classes = List.of("x", "y", "z");
        final ModelSettings settings = new ModelSettings(ModelType.SOFTMAX, 18, Optimizer.SGD, 0.5, LearningRateSchedule.INVSCALING, 0.5, 0.0, 0.05, 1.0, Normalization.NONE, 1, ModelSettings.DEFAULT_LABEL_CLIP, ModelSettings.DEFAULT_MAX_DIMENSION, classes, false, Interactions.NONE);
        final ModelState model = ModelState.fresh(settings);
        final ModelRows weights = new ModelRows();

        final double[][] w = new double[3][d];
        final double[] b = new double[3];
        for (int t = 1; t <= 3000; t++) {
            // 1 to 3 features out of 40: most weights sit untouched for many steps
            final int nnz = 1 + random.nextInt(3);
            final int[] idx = new int[nnz];
            final double[] val = new double[nnz];
            for (int j = 0; j < nnz; j++) {
                idx[j] = random.nextInt(d);
                val[j] = random.nextGaussian();
            }
            final SparseVector x = SparseVector.of(idx, val);
            final int y = (x.indexAt(0) + (x.valueAt(0) > 0 ? 1 : 0)) % 3;
            OnlineLogisticRegression.learn(model, x, classes.get(y), 1.0, weights);

            // eager: shrink every weight, every step
            final double[] z = b.clone();
            for (int j = 0; j < x.size(); j++) {
                for (int k = 0; k < 3; k++) {
                    z[k] += w[k][x.indexAt(j)] * x.valueAt(j);
                }
            }
            final double[] p = new double[3];
            Numerics.softmax(z, p, 3);
            final double eta = 0.5 / Math.sqrt(t);
            for (int k = 0; k < 3; k++) {
                final double g = p[k] - (k == y ? 1 : 0);
                for (int i = 0; i < d; i++) {
                    w[k][i] *= 1 - eta * 0.05;
                }
                for (int j = 0; j < x.size(); j++) {
                    w[k][x.indexAt(j)] -= eta * g * x.valueAt(j);
                }
                b[k] -= eta * g;
            }
        }
        for (int k = 0; k < 3; k++) {
            assertEquals(b[k], OnlineLogisticRegression.bias(model)[k], 1e-10, "bias " + k);
            for (int i = 0; i < d; i++) {
                assertEquals(w[k][i], weights.current(model, i, k), 1e-10, "w[" + k + "][" + i + "]");
            }
        }
    }

    @Test
    void softmaxWithTwoClassesGivesTheBinaryProbabilitiesAtHalfTheStep() {
        // softmax's two rows each move by eta*g, so their difference, the binary logit, moves by
        // 2*eta*g and shrinks by (1 - eta*l2): binary at 2*eta and l2/2 takes the same steps
        final Random random = new Random(3);
        final ModelSettings binarySettings = new ModelSettings(ModelType.BINARY, 18, Optimizer.SGD, 0.2, LearningRateSchedule.INVSCALING, 0.5, 0.0, 0.005, 1.0, Normalization.NONE, 1, ModelSettings.DEFAULT_LABEL_CLIP, ModelSettings.DEFAULT_MAX_DIMENSION, List.of("no", "yes"), false, Interactions.NONE);
        final ModelSettings softmaxSettings = new ModelSettings(ModelType.SOFTMAX, 18, Optimizer.SGD, 0.1, LearningRateSchedule.INVSCALING, 0.5, 0.0, 0.01, 1.0, Normalization.NONE, 1, ModelSettings.DEFAULT_LABEL_CLIP, ModelSettings.DEFAULT_MAX_DIMENSION, List.of("no", "yes"), false, Interactions.NONE);
        final ModelState binary = ModelState.fresh(binarySettings);
        final ModelState softmax = ModelState.fresh(softmaxSettings);
        final ModelRows binaryWeights = new ModelRows();
        final ModelRows softmaxWeights = new ModelRows();
        double largestGap = 0;
        for (int t = 0; t < 2000; t++) {
            final Map<Integer, Double> features = new HashMap<>();
            for (int j = 0; j < 4; j++) {
                features.put(random.nextInt(20), random.nextGaussian());
            }
            final SparseVector x = SparseVector.of(
                    features.keySet().stream().mapToInt(Integer::intValue).toArray(),
                    features.values().stream().mapToDouble(Double::doubleValue).toArray());
            double signal = 0;
            for (int i = 0; i < 20; i++) {
                signal += (i % 2 == 0 ? 1 : -1) * x.get(i);
            }
            final String label = signal > 0 ? "yes" : "no";
            final StepResult fromBinary = OnlineLogisticRegression.learn(binary, x, label, 1.0, binaryWeights);
            final StepResult fromSoftmax = OnlineLogisticRegression.learn(softmax, x, label, 1.0, softmaxWeights);
            for (int k = 0; k < 2; k++) {
                final double gap = Math.abs(fromBinary.progressive().probabilities()[k]
                        - fromSoftmax.progressive().probabilities()[k]);
                largestGap = Math.max(largestGap, gap);
            }
            assertEquals(fromBinary.logLoss(), fromSoftmax.logLoss(), 1e-9);
        }
        assertTrue(largestGap < 1e-9, "largest probability gap " + largestGap);
        assertTrue(binary.metrics().accuracy() > 0.8, "and the models learned: accuracy " + binary.metrics().accuracy());
    }
}
