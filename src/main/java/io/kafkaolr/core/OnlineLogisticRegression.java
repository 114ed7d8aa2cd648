package io.kafkaolr.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Binary and softmax logistic regression learned one example at a time, as MATH.md states:
 * predict first (progressive validation), then one step of the model's {@link Optimizer} on
 * the coordinates present in {@code x} and on the bias (never penalised). Regularisation of
 * the absent coordinates is lazy: a row is caught up when next read, to the value the eager
 * computation would give ({@link CoordinateUpdates}).
 *
 * <p>With {@link ModelSettings#normalize()}, each feature value is divided by the root mean
 * square of the values that feature has had (this one included), so that rescaling a feature
 * does not change what the model predicts. The statistics live in the feature's row.
 *
 * <p>A step that would make a logit, the loss or a weight NaN or infinite is refused with
 * {@link RejectReason#NUMERIC_OVERFLOW} and leaves the model unchanged.
 */
public final class OnlineLogisticRegression {
    private OnlineLogisticRegression() {
    }

    /** Scores {@code x} with the model's current weights. Reads only the rows of {@code x}. */
    public static ModelOutput predict(final ModelState model, final SparseVector x, final WeightAccess weights) {
        final ModelSettings s = model.settings();
        final int logits = model.logits();
        final int spl = s.optimizer().slotsPerLogit();
        final long now = model.version();
        final double[] z = new double[logits];
        for (int k = 0; k < logits; k++) {
            z[k] = CoordinateUpdates.served(s, model.biasView(), k * spl, now, 0, 0);
        }
        for (int j = 0; j < x.size(); j++) {
            final WeightRow row = weights.read(x.indexAt(j));
            if (row == null) {
                continue;
            }
            final double xj = normalized(s, x.valueAt(j), row.scale());
            final double[] slots = caughtUp(model, row, logits);
            for (int k = 0; k < logits; k++) {
                z[k] += CoordinateUpdates.served(s, slots, k * spl, now, s.l1(), s.l2()) * xj;
            }
        }
        requireFinite(z, "logit");
        return output(s.type(), model.classes(), z, now);
    }

    /**
     * Predicts the example, then takes one step on it.
     *
     * @param importance the importance weight {@code s >= 0}
     * @throws RejectedInputException for an unknown label the model may not add, an invalid
     *     importance, or a step that would overflow; the model is then unchanged
     */
    public static StepResult learn(final ModelState model, final SparseVector x, final String label,
                                   final double importance, final WeightAccess weights) {
        if (!Double.isFinite(importance)) {
            throw new RejectedInputException(RejectReason.NON_FINITE_VALUE, "importance is " + importance);
        }
        if (importance < 0) {
            throw new RejectedInputException(RejectReason.INVALID_VALUE, "importance must be >= 0, got " + importance);
        }
        final ModelSettings s = model.settings();
        List<String> classes = model.classes();
        int y = classes.indexOf(label);
        String added = null;
        if (y < 0) {
            if (!s.allowNewClasses()) {
                throw new RejectedInputException(RejectReason.UNKNOWN_LABEL, "label '" + label + "' is not one of "
                        + classes + (s.type() == ModelType.BINARY ? " (binary model)" : " and this model does not add classes"));
            }
            added = label;
            final List<String> grown = new ArrayList<>(classes);
            grown.add(label);
            classes = grown;
            y = classes.size() - 1;
        }
        final int logits = s.logitsFor(classes.size());
        final int spl = s.optimizer().slotsPerLogit();
        final long now = model.version();
        final long t = now + 1;
        final boolean averaged = s.optimizer() == Optimizer.ASGD;

        final double[] bias = Arrays.copyOf(model.biasView(), logits * spl);
        final double[] served = new double[logits];
        final double[] atIterate = averaged ? new double[logits] : served;
        for (int k = 0; k < logits; k++) {
            served[k] = CoordinateUpdates.served(s, bias, k * spl, now, 0, 0);
            atIterate[k] = CoordinateUpdates.iterate(s, bias, k * spl, now, 0, 0);
        }
        final int n = x.size();
        final double[][] slots = new double[n][];
        final double[] values = new double[n];
        final double[] seen = new double[n];
        final double[] sumSquares = new double[n];
        for (int j = 0; j < n; j++) {
            final WeightRow row = weights.read(x.indexAt(j));
            final double xj = x.valueAt(j);
            seen[j] = row == null ? 0 : row.seen();
            sumSquares[j] = row == null ? 0 : row.sumSquares();
            if (s.normalize()) {
                seen[j] += 1;
                sumSquares[j] += xj * xj;
                if (!Double.isFinite(sumSquares[j])) {
                    throw new RejectedInputException(RejectReason.NUMERIC_OVERFLOW, "the sum of squares of feature "
                            + x.indexAt(j) + " would overflow; the model is left unchanged");
                }
                values[j] = normalized(s, xj, Math.sqrt(sumSquares[j] / seen[j]));
            } else {
                values[j] = xj;
            }
            slots[j] = row == null ? new double[logits * spl] : caughtUp(model, row, logits);
            for (int k = 0; k < logits; k++) {
                served[k] += CoordinateUpdates.served(s, slots[j], k * spl, now, s.l1(), s.l2()) * values[j];
                if (averaged) {
                    atIterate[k] += CoordinateUpdates.iterate(s, slots[j], k * spl, now, s.l1(), s.l2()) * values[j];
                }
            }
        }
        requireFinite(served, "logit");
        if (averaged) {
            requireFinite(atIterate, "logit");
        }
        final ModelOutput progressive = output(s.type(), classes, served, now);
        final double loss = progressive.logLoss(y);
        final double[] p = averaged ? output(s.type(), classes, atIterate, now).probabilities()
                : progressive.probabilities();

        final double[] gradient = new double[logits];
        if (s.type() == ModelType.BINARY) {
            gradient[0] = importance * (p[1] - y);
        } else {
            for (int k = 0; k < logits; k++) {
                gradient[k] = importance * (p[k] - (k == y ? 1.0 : 0.0));
            }
        }
        final double eta = averaged || s.optimizer() == Optimizer.SGD ? s.rate(t) : s.learningRate();
        final double[] clock = CoordinateUpdates.advanceClock(s, model.clockView(), eta);
        for (int k = 0; k < logits; k++) {
            CoordinateUpdates.step(s, bias, k * spl, gradient[k], eta, 0, 0);
        }
        requireFinite(bias, "bias");
        for (int j = 0; j < n; j++) {
            for (int k = 0; k < logits; k++) {
                CoordinateUpdates.step(s, slots[j], k * spl, gradient[k] * values[j], eta, s.l1(), s.l2());
            }
            requireFinite(slots[j], "weight");
        }
        for (int j = 0; j < n; j++) {
            weights.write(x.indexAt(j), new WeightRow(t, clock, seen[j], sumSquares[j], slots[j]));
        }
        model.applyStep(t, clock, bias, model.metrics().plus(loss, progressive.predicted() == y, importance), added, y);
        return new StepResult(progressive, y, loss);
    }

    /**
     * The weight of logit {@code k} of a row, as the model serves it now, in the feature's own
     * units (a normalised model's weight divided by the feature's scale): what one unit of the
     * feature adds to the logit.
     */
    public static double weight(final ModelState model, final WeightRow row, final int k) {
        return row == null || k >= model.logits() ? 0.0 : weights(model, row)[k];
    }

    /** The weights of every logit of a row, as {@link #weight} gives each. */
    public static double[] weights(final ModelState model, final WeightRow row) {
        final ModelSettings s = model.settings();
        final int spl = s.optimizer().slotsPerLogit();
        final int logits = model.logits();
        final double[] slots = caughtUp(model, row, logits);
        final double scale = s.normalize() ? row.scale() : 1.0;
        final double[] w = new double[logits];
        for (int k = 0; k < logits; k++) {
            final double served = CoordinateUpdates.served(s, slots, k * spl, model.version(), s.l1(), s.l2());
            w[k] = scale > 0 ? served / scale : 0.0;
        }
        return w;
    }

    /** The bias of each logit, as the model serves it now. */
    public static double[] bias(final ModelState model) {
        final ModelSettings s = model.settings();
        final int spl = s.optimizer().slotsPerLogit();
        final double[] b = new double[model.logits()];
        for (int k = 0; k < b.length; k++) {
            b[k] = CoordinateUpdates.served(s, model.biasView(), k * spl, model.version(), 0, 0);
        }
        return b;
    }

    /** The row's slots widened to {@code logits} and caught up to the model's step. */
    private static double[] caughtUp(final ModelState model, final WeightRow row, final int logits) {
        final ModelSettings s = model.settings();
        final int spl = s.optimizer().slotsPerLogit();
        final double[] slots = Arrays.copyOf(row.slots(), logits * spl);
        final int stored = Math.min(logits, row.slots().length / spl);
        for (int k = 0; k < stored; k++) {
            CoordinateUpdates.catchUp(s, slots, k * spl, row.step(), row.clock(), model.version(), model.clockView());
        }
        return slots;
    }

    private static double normalized(final ModelSettings s, final double value, final double scale) {
        if (!s.normalize()) {
            return value;
        }
        return scale > 0 ? value / scale : 0.0;
    }

    private static ModelOutput output(final ModelType type, final List<String> classes, final double[] z,
                                      final long version) {
        final double[] p;
        final double logit;
        if (type == ModelType.BINARY) {
            // each side from its own sigmoid: no cancellation in 1 - p for confident predictions
            p = new double[] {Numerics.sigmoid(-z[0]), Numerics.sigmoid(z[0])};
            logit = z[0];
        } else {
            p = new double[z.length];
            Numerics.softmax(z, p, z.length);
            logit = Double.NaN;
        }
        int best = 0;
        for (int k = 1; k < p.length; k++) {
            if (p[k] > p[best]) {
                best = k;
            }
        }
        return new ModelOutput(List.copyOf(classes), p, best, logit, version, z.clone());
    }

    private static void requireFinite(final double[] values, final String what) {
        for (final double v : values) {
            if (!Double.isFinite(v)) {
                throw new RejectedInputException(RejectReason.NUMERIC_OVERFLOW,
                        "the step would make a " + what + " " + v + "; the model is left unchanged");
            }
        }
    }
}
