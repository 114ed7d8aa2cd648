package io.kafkaolr.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Binary and softmax logistic regression learned one example at a time, as docs/MATH.md states:
 * predict first (progressive validation), then one step of the model's {@link Optimizer} on
 * the coordinates present in {@code x} and on the bias (never penalised). Regularisation of
 * the absent coordinates is lazy: a row is caught up when next read, to the value the eager
 * computation would give ({@link CoordinateUpdates}).
 *
 * <p>With {@link ModelSettings#normalization()}, each feature value is divided by the root mean
 * square of the values that feature has had (this one included), or standardised while the
 * feature has been present in every example ({@link Normalization}), so that rescaling a
 * feature does not change what the model predicts. The statistics live in the feature's row.
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
        if (s.optimizer() == Optimizer.RLS) {
            final double[] z = LogitLeastSquares.logits(model, x, weights);
            requireFinite(z, "logit");
            return output(s.type(), model.classes(), z, model.version());
        }
        final int logits = model.logits();
        final int spl = s.optimizer().slotsPerLogit();
        final long now = model.steps();
        final double[] z = new double[logits];
        for (int k = 0; k < logits; k++) {
            z[k] = CoordinateUpdates.served(s, model.biasView(), k * spl, now, 0, 0);
        }
        for (int j = 0; j < x.size(); j++) {
            final WeightRow row = weights.read(x.indexAt(j));
            if (row == null) {
                continue;
            }
            final double xj = transformed(s, x.valueAt(j), row, model.version());
            final double[] slots = servedState(model, row, logits);
            for (int k = 0; k < logits; k++) {
                z[k] += CoordinateUpdates.served(s, slots, k * spl, now, s.l1(), s.l2()) * xj;
            }
        }
        requireFinite(z, "logit");
        return output(s.type(), model.classes(), z, model.version());
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
        if (s.optimizer() == Optimizer.RLS) {
            return LogitLeastSquares.learn(model, x, classes, y, added, importance, weights);
        }
        final int logits = s.logitsFor(classes.size());
        final int spl = s.optimizer().slotsPerLogit();
        final long examples = model.version();
        final long t = examples + 1;
        final long now = model.steps();
        final int batch = s.batchSize();
        // with mini-batches, the gradient is summed per coordinate until the B-th example, which
        // takes the step; coordinates it does not touch take theirs when next read (caughtUp)
        final boolean closesBatch = t % batch == 0;
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
        final double[] stats = new double[n * STATISTICS];
        final double[][] pending = new double[n][];
        for (int j = 0; j < n; j++) {
            final WeightRow row = weights.read(x.indexAt(j));
            final double xj = x.valueAt(j);
            values[j] = learnedValue(s, row, xj, examples, x.indexAt(j), stats, j * STATISTICS);
            slots[j] = row == null ? new double[logits * spl] : caughtUp(model, row, logits);
            pending[j] = openBatchGradient(s, row, now, logits);
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
        final ModelOutput progressive = output(s.type(), classes, served, examples);
        final double loss = progressive.logLoss(y);
        final double[] p = averaged ? output(s.type(), classes, atIterate, examples).probabilities()
                : progressive.probabilities();

        final double[] gradient = new double[logits];
        if (s.type() == ModelType.BINARY) {
            gradient[0] = importance * (p[1] - y);
        } else {
            for (int k = 0; k < logits; k++) {
                gradient[k] = importance * (p[k] - (k == y ? 1.0 : 0.0));
            }
        }
        final double eta = stepSize(s, now + 1);
        final double[] clock = closesBatch ? CoordinateUpdates.advanceClock(s, model.clockView(), eta) : model.clockView();
        final double[] biasGradient = batch == 1 ? gradient : plus(model.pendingBiasView(), gradient);
        // a step is taken, or checked to be finite when its batch is still open
        final double[] biasAfter = closesBatch ? bias : bias.clone();
        for (int k = 0; k < logits; k++) {
            CoordinateUpdates.step(s, biasAfter, k * spl, biasGradient[k] / batch, eta, 0, 0);
        }
        requireFinite(biasAfter, "bias");
        for (int j = 0; j < n; j++) {
            if (batch > 1) {
                for (int k = 0; k < logits; k++) {
                    pending[j][k] += gradient[k] * values[j];
                }
            }
            final double[] after = closesBatch ? slots[j] : slots[j].clone();
            for (int k = 0; k < logits; k++) {
                final double g = batch == 1 ? gradient[k] * values[j] : pending[j][k] / batch;
                CoordinateUpdates.step(s, after, k * spl, g, eta, s.l1(), s.l2());
            }
            requireFinite(after, "weight");
        }
        // checked before anything is written
        final ProgressiveMetrics metrics = model.metrics().plus(loss, progressive.predicted() == y, importance);
        for (int j = 0; j < n; j++) {
            weights.write(x.indexAt(j), new WeightRow(t, clock, stats[j * STATISTICS], stats[j * STATISTICS + 1],
                    stats[j * STATISTICS + 2], stats[j * STATISTICS + 3],
                    slots[j], closesBatch ? WeightRow.NONE : pending[j]));
        }
        model.applyStep(t, clock, bias, closesBatch ? WeightRow.NONE : biasGradient, metrics, added, y);
        return new StepResult(progressive, y, loss);
    }

    /**
     * The weight of logit {@code k} of a row, as the model serves it now, in the feature's own
     * units (a normalised model's weight divided by the feature's scale, or by its standard
     * deviation when standardised): what one unit of the feature adds to the logit.
     */
    public static double weight(final ModelState model, final WeightRow row, final int k) {
        return row == null || k >= model.logits() ? 0.0 : weights(model, row)[k];
    }

    /** The weights of every logit of a row, as {@link #weight} gives each. */
    public static double[] weights(final ModelState model, final WeightRow row) {
        final ModelSettings s = model.settings();
        final int spl = s.optimizer().slotsPerLogit();
        final int logits = model.logits();
        final boolean leastSquares = s.optimizer() == Optimizer.RLS;
        final double[] slots = leastSquares ? row.slots() : servedState(model, row, logits);
        final double scale = !s.normalize() ? 1.0 : row.standardizedAt(model.version()) ? row.deviation() : row.scale();
        final double[] w = new double[logits];
        for (int k = 0; k < logits; k++) {
            final double served = leastSquares ? LogitLeastSquares.weight(slots, k)
                    : CoordinateUpdates.served(s, slots, k * spl, model.steps(), s.l1(), s.l2());
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
            b[k] = CoordinateUpdates.served(s, model.biasView(), k * spl, model.steps(), 0, 0);
        }
        return b;
    }

    /**
     * The row's slots widened to {@code logits} and caught up to the model's step: the step of
     * a closed mini-batch the row's gradient is pending for, then the regularisation of the steps
     * since.
     */
    private static double[] caughtUp(final ModelState model, final WeightRow row, final int logits) {
        final ModelSettings s = model.settings();
        final int spl = s.optimizer().slotsPerLogit();
        final int batch = s.batchSize();
        final long now = model.steps();
        final double[] slots = Arrays.copyOf(row.slots(), logits * spl);
        final int stored = Math.min(logits, row.slots().length / spl);
        final double[] pending = row.pending();
        long rowStep = pending.length == 0 ? row.step() / batch : (row.step() - 1) / batch;
        double[] rowClock = row.clock();
        if (pending.length > 0 && rowStep < now) {
            rowStep++;
            final double eta = stepSize(s, rowStep);
            for (int k = 0; k < pending.length; k++) {
                CoordinateUpdates.step(s, slots, k * spl, pending[k] / batch, eta, s.l1(), s.l2());
            }
            rowClock = CoordinateUpdates.advanceClock(s, rowClock, eta);
        }
        for (int k = 0; k < Math.max(stored, pending.length); k++) {
            CoordinateUpdates.catchUp(s, slots, k * spl, rowStep, rowClock, now, model.clockView());
        }
        return slots;
    }

    /**
     * The row's slots as the model serves them now, to read only: the stored array itself when
     * there is nothing to catch up (FTRL, an unpenalised SGD or AdaGrad, or a row written at the
     * model's step), a caught-up copy otherwise. Saves a copy per feature when scoring.
     */
    private static double[] servedState(final ModelState model, final WeightRow row, final int logits) {
        final ModelSettings s = model.settings();
        final boolean nothingPending = row.pending().length == 0;
        final boolean noDecay = s.optimizer() == Optimizer.FTRL
                || s.optimizer() != Optimizer.ASGD && s.l1() == 0 && s.l2() == 0;
        final boolean current = row.step() / s.batchSize() >= model.steps();
        if (nothingPending && (noDecay || current) && row.slots().length == logits * s.optimizer().slotsPerLogit()) {
            return row.slots();
        }
        return caughtUp(model, row, logits);
    }

    /**
     * The gradient a row has summed in the mini-batch still open at step {@code now}, widened to
     * {@code logits}, to add this example's to (none without mini-batches).
     */
    private static double[] openBatchGradient(final ModelSettings s, final WeightRow row, final long now,
                                              final int logits) {
        if (s.batchSize() == 1) {
            return null;
        }
        final boolean open = row != null && row.pending().length > 0 && (row.step() - 1) / s.batchSize() == now;
        return open ? Arrays.copyOf(row.pending(), logits) : new double[logits];
    }

    /** The step size of step {@code step}: the schedule's for SGD and averaged SGD, the constant {@code eta} otherwise. */
    private static double stepSize(final ModelSettings s, final long step) {
        return s.optimizer() == Optimizer.SGD || s.optimizer() == Optimizer.ASGD ? s.rate(step) : s.learningRate();
    }

    private static double[] plus(final double[] sum, final double[] terms) {
        final double[] total = Arrays.copyOf(sum, Math.max(sum.length, terms.length));
        for (int k = 0; k < terms.length; k++) {
            total[k] += terms[k];
        }
        return total;
    }

    /** The number of statistics {@link #learnedValue} keeps per feature. */
    static final int STATISTICS = 4;

    /**
     * The value a feature enters learning with, in the example after {@code examples}: its
     * normalisation statistics, this value included, go into {@code stats} from {@code at}
     * (count, sum of squares, mean, squared deviations; the mean and deviations NaN unless
     * standardised).
     *
     * @param row the feature's row, or null when the feature is new
     */
    static double learnedValue(final ModelSettings s, final WeightRow row, final double xj, final long examples,
                               final int index, final double[] stats, final int at) {
        double seen = row == null ? 0 : row.seen();
        double sumSquares = row == null ? 0 : row.sumSquares();
        stats[at + 2] = Double.NaN;
        stats[at + 3] = Double.NaN;
        double value = xj;
        if (s.normalize()) {
            seen += 1;
            sumSquares += xj * xj;
            final boolean standardized = s.normalization() == Normalization.STANDARDIZE
                    && (row == null ? examples == 0 : row.standardizedAt(examples));
            if (standardized) {
                // Welford: no cancellation when the mean is large against the deviation
                final double mean = row == null ? 0.0 : row.mean();
                final double delta = xj - mean;
                stats[at + 2] = mean + delta / seen;
                stats[at + 3] = (row == null ? 0.0 : row.squaredDeviations()) + delta * (xj - stats[at + 2]);
                value = standardized(xj, stats[at + 2], Math.sqrt(stats[at + 3] / seen));
            } else {
                value = scaled(xj, Math.sqrt(sumSquares / seen));
            }
            if (!Double.isFinite(sumSquares) || standardized && !Double.isFinite(stats[at + 3])) {
                throw new RejectedInputException(RejectReason.NUMERIC_OVERFLOW, "the sum of squares of feature "
                        + index + " would overflow; the model is left unchanged");
            }
        }
        stats[at] = seen;
        stats[at + 1] = sumSquares;
        return value;
    }

    /** The value the model learns from, for a feature whose row is {@code row}, at step {@code now}. */
    static double transformed(final ModelSettings s, final double value, final WeightRow row, final long now) {
        if (!s.normalize()) {
            return value;
        }
        return row.standardizedAt(now) ? standardized(value, row.mean(), row.deviation()) : scaled(value, row.scale());
    }

    private static double scaled(final double value, final double scale) {
        return scale > 0 ? value / scale : 0.0;
    }

    /** A feature that has had one value only carries nothing the bias does not. */
    private static double standardized(final double value, final double mean, final double deviation) {
        return deviation > 0 ? (value - mean) / deviation : 0.0;
    }

    static ModelOutput output(final ModelType type, final List<String> classes, final double[] z,
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

    static void requireFinite(final double[] values, final String what) {
        for (final double v : values) {
            if (!Double.isFinite(v)) {
                throw new RejectedInputException(RejectReason.NUMERIC_OVERFLOW,
                        "the step would make a " + what + " " + v + "; the model is left unchanged");
            }
        }
    }
}
