package io.kafkaolr.core;

import java.util.ArrayList;
import java.util.List;

/**
 * Binary and softmax logistic regression learned one example at a time, as docs/MATH.md states:
 * predict first (progressive validation), then one step of the model's {@link Optimizer} on
 * the coordinates present in {@code x} and on the bias (never penalised). Regularisation of
 * the absent coordinates is lazy: a row is caught up when next read, to the value the eager
 * computation would give ({@link CoordinateOptimizer}).
 *
 * <p>With {@link ModelSettings#normalization()}, each feature value is divided by the root mean
 * square of the values that feature has had (this one included), or standardised while the
 * feature has been present in every example ({@link Normalization}), so that rescaling a
 * feature does not change what the model predicts. The statistics live in the feature's row.
 *
 * <p>A step that would make a logit, the loss or a weight NaN or infinite is refused with
 * {@link RejectReason#NUMERIC_OVERFLOW} and leaves the model unchanged.
 *
 * <p>These methods return new objects per call; the hot paths use a {@link Learner}, which
 * computes the same numbers without allocating, on a {@link ModelRows}. Any other
 * {@link WeightAccess} is served by copying the example's rows into a {@link ModelRows} first.
 */
public final class OnlineLogisticRegression {
    /** A learner per thread: its buffers are reused from call to call. */
    private static final ThreadLocal<Learner> LEARNERS = ThreadLocal.withInitial(Learner::new);

    private OnlineLogisticRegression() {
    }

    /** Scores {@code x} with the model's current weights. Reads only the rows of {@code x}. */
    public static ModelOutput predict(final ModelState model, final SparseVector x, final WeightAccess weights) {
        final ModelRows rows = weights instanceof ModelRows inMemory ? inMemory : rowsOf(x, weights);
        final Learner learner = LEARNERS.get();
        learner.predict(model, x, rows);
        return learner.output(model);
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
        final Learner learner = LEARNERS.get();
        if (weights instanceof ModelRows rows) {
            learner.learn(model, x, label, importance, rows);
        } else if (model.settings().optimizer() == Optimizer.RLS) {
            // least squares reads every row of the model: it runs on the rows where they are
            return learnLeastSquares(model, x, label, importance, weights);
        } else {
            final ModelRows rows = rowsOf(x, weights);
            learner.learn(model, x, label, importance, rows);
            rows.forEachDirty(index -> weights.write(index, rows.read(index)));
        }
        return new StepResult(learner.output(model), learner.labelIndex(), learner.logLoss());
    }

    private static StepResult learnLeastSquares(final ModelState model, final SparseVector x, final String label,
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
        return LogitLeastSquares.learn(model, x, classes, y, added, importance, weights);
    }

    /** The rows of {@code x}'s features, copied from {@code weights}. */
    private static ModelRows rowsOf(final SparseVector x, final WeightAccess weights) {
        final ModelRows rows = new ModelRows();
        for (int j = 0; j < x.size(); j++) {
            final WeightRow row = weights.read(x.indexAt(j));
            if (row != null) {
                rows.load(x.indexAt(j), row);
            }
        }
        return rows;
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
        final ModelRows one = new ModelRows();
        one.load(0, row);
        final double[] w = LEARNERS.get().servedWeights(model, one, one.slotOf(0));
        final ModelSettings s = model.settings();
        final double scale = !s.normalize() ? 1.0 : row.standardizedAt(model.version()) ? row.deviation() : row.scale();
        for (int k = 0; k < w.length; k++) {
            w[k] = scale > 0 ? w[k] / scale : 0.0;
        }
        return w;
    }

    /** The bias of each logit, as the model serves it now. */
    public static double[] bias(final ModelState model) {
        final ModelSettings s = model.settings();
        final double[] b = new double[model.logits()];
        final CoordinateOptimizer optimizer = model.coordinateOptimizer();
        for (int k = 0; k < b.length; k++) {
            // least squares keeps the intercept's weights as they are
            b[k] = optimizer == null ? model.biasView()[k]
                    : optimizer.served(model.biasView(), k * optimizer.slotsPerLogit(), model.steps(), 0, 0);
        }
        return b;
    }

    /** The number of statistics {@link #learnedValue} keeps per feature. */
    static final int STATISTICS = 4;

    /**
     * The value a feature enters learning with, in the example after {@code examples}: its
     * normalisation statistics, this value included, go into {@code stats} from {@code at}
     * (count, sum of squares, mean, squared deviations; the mean and deviations NaN unless
     * standardised).
     *
     * @param present whether the feature has a row (the statistics that follow are its row's)
     * @param standardizedBefore whether the row is standardised at {@code examples}
     */
    static double learnedValue(final ModelSettings s, final boolean present, final double rowSeen,
                               final double rowSumSquares, final boolean standardizedBefore, final double rowMean,
                               final double rowSquaredDeviations, final double xj, final long examples,
                               final int index, final double[] stats, final int at) {
        double seen = present ? rowSeen : 0;
        double sumSquares = present ? rowSumSquares : 0;
        stats[at + 2] = Double.NaN;
        stats[at + 3] = Double.NaN;
        double value = xj;
        if (s.normalize()) {
            seen += 1;
            sumSquares += xj * xj;
            final boolean standardized = s.normalization() == Normalization.STANDARDIZE
                    && (present ? standardizedBefore : examples == 0);
            if (standardized) {
                // Welford: no cancellation when the mean is large against the deviation
                final double mean = present ? rowMean : 0.0;
                final double delta = xj - mean;
                stats[at + 2] = mean + delta / seen;
                stats[at + 3] = (present ? rowSquaredDeviations : 0.0) + delta * (xj - stats[at + 2]);
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

    /** {@link #learnedValue} of a feature whose row is {@code row} (null when the feature is new). */
    static double learnedValue(final ModelSettings s, final WeightRow row, final double xj, final long examples,
                               final int index, final double[] stats, final int at) {
        return row == null ? learnedValue(s, false, 0, 0, false, 0.0, 0.0, xj, examples, index, stats, at)
                : learnedValue(s, true, row.seen(), row.sumSquares(), row.standardizedAt(examples), row.mean(),
                row.squaredDeviations(), xj, examples, index, stats, at);
    }

    static double scaled(final double value, final double scale) {
        return scale > 0 ? value / scale : 0.0;
    }

    /** A feature that has had one value only carries nothing the bias does not. */
    static double standardized(final double value, final double mean, final double deviation) {
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
