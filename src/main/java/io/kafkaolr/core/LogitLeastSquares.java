package io.kafkaolr.core;

import java.util.Arrays;
import java.util.List;

/**
 * docs/MATH.md's second trainer ({@link Optimizer#RLS}): least squares on clipped logit labels,
 * streamed by recursive least squares. A label becomes the target {@code t = log(y' / (1 - y'))}
 * with {@code y'} the 0/1 label clipped to {@code [eps, 1 - eps]} (softmax: one target per class,
 * one-vs-rest), and the weights are, after every example, exactly the ridge solution
 * {@code w = (X'X + lambda I)^-1 X't} over the examples so far (the intercept is a column of X and
 * is penalised too). Each example updates {@code P = (X'X + lambda I)^-1} by Sherman-Morrison:
 * {@code u = P x}, {@code w += u (t - w.x) / (1 + x.u)}, {@code P -= u u' / (1 + x.u)} (an
 * importance {@code s} weighs the example's squared error: {@code x.u} and the updates are
 * multiplied by {@code s}). Probabilities are {@code sigmoid(z)} for binary models and
 * {@code softmax(z)} for softmax ones, as for the other trainers.
 *
 * <p>The cost is O(d^2) per example in the number of features {@code d} the model has seen, and
 * every row is rewritten on every example: for dense inputs of modest dimension only. An example
 * that would bring {@code d} above {@link ModelSettings#maxDimension()} is refused
 * ({@link RejectReason#TOO_MANY_FEATURES}). A feature first seen late starts with the prior
 * {@code 1 / lambda} and no covariance, which is exactly its state had it been 0 in every earlier
 * example. A class added late starts at weight 0 (not the fit of all-negative targets).
 *
 * <p>Storage, in the model's rows: a feature's row holds {@code [position, K, w_1..w_K, P[position]]};
 * the row at {@link #COVARIANCE_ROW} holds {@code [d, index_1..index_d, P[0]]}, position 0 being
 * the intercept, whose weights are the model's bias.
 */
public final class LogitLeastSquares {
    /** The index of the row that lists the model's features and holds the intercept's row of P: outside any hashed index. */
    public static final int COVARIANCE_ROW = FeatureHasher.FIRST_MODEL_ROW;

    private LogitLeastSquares() {
    }

    /** The weight of logit {@code k} a feature's row holds (0 for a class added after the row was written). */
    static double weight(final double[] rowSlots, final int k) {
        return k < logitsIn(rowSlots) ? rowSlots[2 + k] : 0.0;
    }

    /**
     * Predicts the example, then takes the recursive least-squares step on it.
     *
     * @param classes the model's classes, with the example's label added when it is new
     * @param y the label's index in {@code classes}
     */
    static StepResult learn(final ModelState model, final SparseVector x, final List<String> classes, final int y,
                            final String added, final double importance, final WeightAccess weights) {
        final ModelSettings s = model.settings();
        final int logits = s.logitsFor(classes.size());
        final long examples = model.version();
        final WeightRow covariance = weights.read(COVARIANCE_ROW);
        final int known = covariance == null ? 0 : (int) covariance.slots()[0];
        // the features: those known, then those this example brings
        final int[] indices = Arrays.copyOf(featureIndices(covariance, known), known + x.size());
        final WeightRow[] rows = new WeightRow[known + x.size()];
        final int[] positionOf = new int[x.size()];
        int d = known;
        for (int j = 0; j < x.size(); j++) {
            final WeightRow row = weights.read(x.indexAt(j));
            if (row == null) {
                indices[d] = x.indexAt(j);
                positionOf[j] = ++d;
            } else {
                positionOf[j] = (int) row.slots()[0];
                requireListed(indices, known, x.indexAt(j), row, positionOf[j]);
                rows[positionOf[j] - 1] = row;
            }
        }
        if (d > s.maxDimension()) {
            throw new RejectedInputException(RejectReason.TOO_MANY_FEATURES, "the example would bring the logit"
                    + " least-squares model to " + d + " features; its limit (max-dimension) is " + s.maxDimension());
        }
        for (int p = 1; p <= known; p++) {
            if (rows[p - 1] == null) {
                rows[p - 1] = weights.read(indices[p - 1]);
                requireListed(indices, known, indices[p - 1], rows[p - 1], p);
            }
        }
        // P and the weights, over positions 0 (intercept) .. d; a new feature: prior 1/lambda, weight 0
        final double[][] pMatrix = new double[d + 1][];
        final double[][] w = new double[logits][d + 1];
        pMatrix[0] = covariance == null ? new double[d + 1] : Arrays.copyOfRange(covariance.slots(), 1 + known,
                1 + known + d + 1);
        if (covariance == null) {
            pMatrix[0][0] = 1.0 / s.l2();
        }
        for (int k = 0; k < logits; k++) {
            w[k][0] = k < model.biasView().length ? model.biasView()[k] : 0.0;
        }
        for (int p = 1; p <= d; p++) {
            final WeightRow row = p <= known ? rows[p - 1] : null;
            if (row == null) {
                pMatrix[p] = new double[d + 1];
                pMatrix[p][p] = 1.0 / s.l2();
            } else {
                final int stored = logitsIn(row.slots());
                pMatrix[p] = Arrays.copyOfRange(row.slots(), 2 + stored, 2 + stored + d + 1);
                for (int k = 0; k < logits; k++) {
                    w[k][p] = weight(row.slots(), k);
                }
            }
        }
        // the example over positions, its feature statistics updated
        final double[] xDense = new double[d + 1];
        xDense[0] = 1.0;
        final int statistics = OnlineLogisticRegression.STATISTICS;
        final double[] stats = new double[x.size() * statistics];
        for (int j = 0; j < x.size(); j++) {
            final WeightRow row = positionOf[j] <= known ? rows[positionOf[j] - 1] : null;
            xDense[positionOf[j]] = OnlineLogisticRegression.learnedValue(s, row, x.valueAt(j), examples,
                    x.indexAt(j), stats, j * statistics);
        }
        final double[] z = new double[logits];
        for (int k = 0; k < logits; k++) {
            for (int p = 0; p <= d; p++) {
                z[k] += w[k][p] * xDense[p];
            }
        }
        OnlineLogisticRegression.requireFinite(z, "logit");
        final ModelOutput progressive = OnlineLogisticRegression.output(s.type(), classes, z, examples);
        final double loss = progressive.logLoss(y);
        // checked before anything is written
        final ProgressiveMetrics metrics = model.metrics().plus(loss, progressive.predicted() == y, importance);

        // Sherman-Morrison
        final double[] u = new double[d + 1];
        for (int q = 0; q <= d; q++) {
            if (xDense[q] != 0) {
                for (int p = 0; p <= d; p++) {
                    u[p] += pMatrix[p][q] * xDense[q];
                }
            }
        }
        double xu = 0;
        for (int p = 0; p <= d; p++) {
            xu += xDense[p] * u[p];
        }
        final double denominator = 1.0 + importance * xu;
        // an overflowing x'Px would make the update vanish rather than fail: refuse it
        OnlineLogisticRegression.requireFinite(u, "covariance product");
        OnlineLogisticRegression.requireFinite(new double[] {denominator}, "x'Px");
        // P is positive definite, so x'Px >= 0: a negative one means P has lost its precision
        // (features of wildly different magnitudes without normalisation), and the step would corrupt it
        if (!(denominator >= 1.0 - 1e-9)) {
            throw new RejectedInputException(RejectReason.NUMERIC_OVERFLOW, "x'Px = " + xu + " < 0: the covariance"
                    + " has lost its precision on this example's features; the model is left unchanged");
        }
        final double target = Math.log((1.0 - s.labelClip()) / s.labelClip());
        for (int k = 0; k < logits; k++) {
            final boolean positive = s.type() == ModelType.BINARY ? y == 1 : y == k;
            final double gain = importance * ((positive ? target : -target) - z[k]) / denominator;
            for (int p = 0; p <= d; p++) {
                w[k][p] += u[p] * gain;
            }
            OnlineLogisticRegression.requireFinite(w[k], "weight");
        }
        for (int p = 0; p <= d; p++) {
            final double scaled = importance * u[p] / denominator;
            for (int q = 0; q <= d; q++) {
                pMatrix[p][q] -= scaled * u[q];
            }
            OnlineLogisticRegression.requireFinite(pMatrix[p], "covariance");
        }

        final long t = examples + 1;
        final double[] noClock = WeightRow.NONE;
        final double[] covarianceSlots = new double[1 + d + d + 1];
        covarianceSlots[0] = d;
        for (int p = 1; p <= d; p++) {
            covarianceSlots[p] = indices[p - 1];
        }
        System.arraycopy(pMatrix[0], 0, covarianceSlots, 1 + d, d + 1);
        weights.write(COVARIANCE_ROW, new WeightRow(t, noClock, 0, 0, covarianceSlots));
        final int[] presentAt = new int[d + 1];
        Arrays.fill(presentAt, -1);
        for (int j = 0; j < x.size(); j++) {
            presentAt[positionOf[j]] = j;
        }
        for (int p = 1; p <= d; p++) {
            final double[] slots = new double[2 + logits + d + 1];
            slots[0] = p;
            slots[1] = logits;
            for (int k = 0; k < logits; k++) {
                slots[2 + k] = w[k][p];
            }
            System.arraycopy(pMatrix[p], 0, slots, 2 + logits, d + 1);
            final WeightRow before = p <= known ? rows[p - 1] : null;
            final WeightRow row;
            if (presentAt[p] >= 0) {
                final int at = presentAt[p] * statistics;
                row = new WeightRow(t, noClock, stats[at], stats[at + 1], stats[at + 2], stats[at + 3], slots,
                        WeightRow.NONE);
            } else {
                // absent: its statistics are unchanged, and its row no longer marks it present in every example
                row = new WeightRow(t, noClock, before.seen(), before.sumSquares(), before.mean(),
                        before.squaredDeviations(), slots, WeightRow.NONE);
            }
            weights.write(indices[p - 1], row);
        }
        final double[] bias = new double[logits];
        for (int k = 0; k < logits; k++) {
            bias[k] = w[k][0];
        }
        model.applyStep(t, model.clockView(), bias, noClock, metrics, added, y);
        return new StepResult(progressive, y, loss);
    }

    /**
     * Fails, before anything is written, unless the row of feature {@code index} is at
     * {@code position} of the covariance row's list: every row listed is rewritten, so a list
     * that does not match the rows (a model the import check did not see) would otherwise write
     * rows at indices no feature has, or read another feature's covariances.
     */
    private static void requireListed(final int[] indices, final int known, final int index, final WeightRow row,
                                      final int position) {
        if (row == null || position < 1 || position > known || indices[position - 1] != index
                || (int) row.slots()[0] != position) {
            throw new IllegalStateException("the least-squares model's rows disagree with the features its row "
                    + COVARIANCE_ROW + " lists: feature " + index + " (" + (row == null ? "no row"
                    : "its row at position " + (int) row.slots()[0]) + ") is not the one at position " + position
                    + " of " + known + "; the model is left unchanged");
        }
    }

    /** The feature indices in position order, from the covariance row. */
    private static int[] featureIndices(final WeightRow covariance, final int known) {
        final int[] indices = new int[known];
        for (int p = 1; p <= known; p++) {
            indices[p - 1] = (int) covariance.slots()[p];
        }
        return indices;
    }

    /** The number of logits a feature's row holds. */
    private static int logitsIn(final double[] rowSlots) {
        return (int) rowSlots[1];
    }
}
