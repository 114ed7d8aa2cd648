package io.kafkaolr.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The recursive least-squares trainer against the closed form it streams: after every example,
 * its weights are the weighted ridge solution {@code (X'SX + lambda I)^-1 X'St} on the clipped
 * logit targets of the examples so far, solved here by Gaussian elimination.
 */
class LogitLeastSquaresTest {
    private static final double LAMBDA = 0.7;
    private static final double CLIP = 0.1;
    private static final List<String> CLASSES = List.of("a", "b", "c");

    private static ModelSettings settings(final ModelType type) {
        final ModelSettings base = type == ModelType.BINARY
                ? ModelSettings.binary(1, LearningRateSchedule.CONSTANT)
                : ModelSettings.softmax(1, LearningRateSchedule.CONSTANT).withClasses(CLASSES, false);
        return base.withPenalties(0, LAMBDA).withOptimizer(Optimizer.RLS, 1).withLeastSquares(CLIP, 10);
    }

    @ParameterizedTest
    @EnumSource(ModelType.class)
    void everyPredictionAndTheFinalWeightsAreTheRidgeSolutionOfTheExamplesBefore(final ModelType type) {
        final ModelSettings s = settings(type);
        final ModelState model = ModelState.fresh(s);
        final ModelRows weights = new ModelRows();
        final Random random = new Random(11);
        final int logits = type == ModelType.BINARY ? 1 : 3;
        final double target = Math.log((1 - CLIP) / CLIP);
        // positions: 0 intercept, then features 10, 20, 30, 40 always, 50 from example 40 on
        final int[] featureIndex = {10, 20, 30, 40, 50};
        final List<double[]> rows = new ArrayList<>();
        final List<double[]> targets = new ArrayList<>();
        final List<Double> importances = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            final int nnz = i < 40 ? 4 : 5;
            final double[] dense = new double[6];
            dense[0] = 1;
            final int[] idx = new int[nnz];
            final double[] val = new double[nnz];
            for (int j = 0; j < nnz; j++) {
                idx[j] = featureIndex[j];
                val[j] = random.nextGaussian() * (j + 1) + j;
                dense[j + 1] = val[j];
            }
            final int y = type == ModelType.BINARY ? (val[0] + random.nextGaussian() > 0 ? 1 : 0)
                    : Math.floorMod((int) Math.round(val[1] + random.nextGaussian()), 3);
            final double importance = new double[] {0.5, 1, 2}[random.nextInt(3)];

            final double[][] before = ridge(rows, targets, importances, logits);
            final StepResult step = OnlineLogisticRegression.learn(model, SparseVector.of(idx, val),
                    s.initialClasses().get(y), importance, weights);
            for (int k = 0; k < logits; k++) {
                double expected = 0;
                for (int p = 0; p < 6; p++) {
                    expected += before[k][p] * dense[p];
                }
                assertEquals(expected, step.progressive().logits()[k], 1e-9 * Math.max(1, Math.abs(expected)),
                        "progressive logit " + k + " of example " + i);
            }
            rows.add(dense);
            final double[] t = new double[logits];
            for (int k = 0; k < logits; k++) {
                t[k] = (type == ModelType.BINARY ? y == 1 : y == k) ? target : -target;
            }
            targets.add(t);
            importances.add(importance);
        }
        final double[][] fit = ridge(rows, targets, importances, logits);
        for (int k = 0; k < logits; k++) {
            assertEquals(fit[k][0], OnlineLogisticRegression.bias(model)[k], 1e-9, "intercept " + k);
            for (int p = 1; p < 6; p++) {
                assertEquals(fit[k][p], weights.current(model, featureIndex[p - 1], k), 1e-9, "w[" + p + "][" + k + "]");
            }
        }
    }

    @Test
    void anExampleBringingMoreFeaturesThanTheLimitIsRefusedAndChangesNothing() {
        final ModelState model = ModelState.fresh(settings(ModelType.BINARY).withLeastSquares(CLIP, 3));
        final ModelRows weights = new ModelRows();
        OnlineLogisticRegression.learn(model, SparseVector.of(new int[] {1, 2}, new double[] {1, 2}), "1", 1, weights);
        OnlineLogisticRegression.learn(model, SparseVector.of(new int[] {2, 3}, new double[] {3, 1}), "0", 1, weights);
        final double[] before = {weights.current(model, 1, 0), weights.current(model, 2, 0), weights.current(model, 3, 0),
            OnlineLogisticRegression.bias(model)[0]};
        final double[] covariance = weights.read(LogitLeastSquares.COVARIANCE_ROW).slots().clone();

        final RejectedInputException e = assertThrows(RejectedInputException.class, () -> OnlineLogisticRegression
                .learn(model, SparseVector.of(new int[] {3, 4}, new double[] {1, 1}), "1", 1, weights));
        assertEquals(RejectReason.TOO_MANY_FEATURES, e.reason());
        assertEquals(2, model.version());
        assertArrayEquals(covariance, weights.read(LogitLeastSquares.COVARIANCE_ROW).slots(), 0.0);
        assertArrayEquals(before, new double[] {weights.current(model, 1, 0), weights.current(model, 2, 0),
            weights.current(model, 3, 0), OnlineLogisticRegression.bias(model)[0]}, 0.0);
        assertNull(weights.read(4));
        // known features are still learned
        OnlineLogisticRegression.learn(model, SparseVector.of(new int[] {1, 3}, new double[] {1, 1}), "1", 1, weights);
        assertEquals(3, model.version());
    }

    @Test
    void aCovarianceRowListingAnIndexNoRowHasFailsTheStepBeforeAnythingIsWritten() {
        final ModelState model = ModelState.fresh(settings(ModelType.BINARY));
        final ModelRows weights = new ModelRows();
        OnlineLogisticRegression.learn(model, SparseVector.of(new int[] {1, 2, 3}, new double[] {1, 2, 3}), "1", 1,
                weights);
        final WeightRow covariance = weights.read(LogitLeastSquares.COVARIANCE_ROW);
        final double[] list = covariance.slots().clone();
        // feature 2's place in the list, as a corrupt model could give it: no row has that index
        list[2] = Integer.MIN_VALUE;
        weights.load(LogitLeastSquares.COVARIANCE_ROW,
                new WeightRow(covariance.step(), covariance.clock(), 0, 0, list));
        weights.clearDirty();
        // feature 2 in the example (found in its row, not in the list), then only feature 1 (the list read)
        for (final int[] features : new int[][] {{1, 2}, {1}}) {
            final double[] ones = new double[features.length];
            java.util.Arrays.fill(ones, 1.0);
            final SparseVector x = SparseVector.of(features, ones);
            final IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> OnlineLogisticRegression.learn(model, x, "0", 1, weights));
            assertTrue(e.getMessage().contains("is not the one at position 2 of 3"), e.getMessage());
            assertEquals(1, model.version());
            assertEquals(0, weights.dirtyCount(), "nothing written");
            assertNull(weights.read(Integer.MIN_VALUE));
        }
    }

    @Test
    void aSoftmaxModelAddsAClassScoredAtZeroThenLearnsIt() {
        final ModelState model = ModelState.fresh(ModelSettings.softmax(0.1, LearningRateSchedule.CONSTANT)
                .withPenalties(0, 1).withOptimizer(Optimizer.RLS, 1));
        final ModelRows weights = new ModelRows();
        final SparseVector a = SparseVector.of(new int[] {1, 2}, new double[] {1.0, 0.2});
        final SparseVector b = SparseVector.of(new int[] {1, 2}, new double[] {0.1, 1.0});
        final SparseVector c = SparseVector.of(new int[] {1, 2}, new double[] {-1.0, -1.0});
        for (int i = 0; i < 30; i++) {
            OnlineLogisticRegression.learn(model, a, "a", 1.0, weights);
            OnlineLogisticRegression.learn(model, b, "b", 1.0, weights);
        }
        final StepResult first = OnlineLogisticRegression.learn(model, c, "c", 1.0, weights);
        assertEquals(List.of("a", "b", "c"), model.classes());
        assertEquals(0.0, first.progressive().logits()[2], 0.0);
        assertArrayEquals(new long[] {30, 30, 1}, model.classCounts());
        NormalizationAndClassesTest.assertLearnsEachClass(model, weights, a, b, c, 10);
    }

    /** Weighted ridge over the rows so far, per logit: {@code (X'SX + lambda I) w = X'St}. */
    private static double[][] ridge(final List<double[]> rows, final List<double[]> targets,
                                    final List<Double> importances, final int logits) {
        final int d = 6;
        final double[][] fit = new double[logits][];
        for (int k = 0; k < logits; k++) {
            final double[][] a = new double[d][d + 1];
            for (int p = 0; p < d; p++) {
                a[p][p] = LAMBDA;
            }
            for (int i = 0; i < rows.size(); i++) {
                final double[] x = rows.get(i);
                final double s = importances.get(i);
                for (int p = 0; p < d; p++) {
                    for (int q = 0; q < d; q++) {
                        a[p][q] += s * x[p] * x[q];
                    }
                    a[p][d] += s * x[p] * targets.get(i)[k];
                }
            }
            fit[k] = solve(a);
        }
        return fit;
    }

    /** Gaussian elimination with partial pivoting on an augmented matrix. */
    private static double[] solve(final double[][] a) {
        final int n = a.length;
        for (int c = 0; c < n; c++) {
            int pivot = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(a[r][c]) > Math.abs(a[pivot][c])) {
                    pivot = r;
                }
            }
            final double[] swap = a[c];
            a[c] = a[pivot];
            a[pivot] = swap;
            for (int r = c + 1; r < n; r++) {
                final double f = a[r][c] / a[c][c];
                for (int k = c; k <= n; k++) {
                    a[r][k] -= f * a[c][k];
                }
            }
        }
        final double[] x = new double[n];
        for (int r = n - 1; r >= 0; r--) {
            double v = a[r][n];
            for (int k = r + 1; k < n; k++) {
                v -= a[r][k] * x[k];
            }
            x[r] = v / a[r][r];
        }
        return x;
    }
}
