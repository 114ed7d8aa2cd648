package io.kafkaolr.core;

import java.util.Arrays;
import java.util.Objects;

/**
 * The stored state of one feature index of one model: what its optimizer keeps per logit,
 * the running statistics of the feature's values (for normalisation), and when it was last
 * written (for the lazy catch-up of regularisation, docs/MATH.md).
 *
 * <p>{@code slots} holds {@link Optimizer#slotsPerLogit()} numbers per logit, logit after
 * logit: SGD the weight; averaged SGD the iterate and the sum of iterates; AdaGrad the weight
 * and the sum of squared gradients; FTRL {@code z} and {@code n}. A row written before a class
 * was added is shorter: the missing logits read as zeros, which is their state.
 *
 * @param step the model's update count when the row was written
 * @param clock the model's lazy-regularisation accumulators at that step (SGD only)
 * @param seen the number of examples in which the feature appeared
 * @param sumSquares the sum of the squares of its values in those examples
 * @param mean the mean of those values, kept (by Welford's update) only while the feature is
 *     standardised ({@link Normalization#STANDARDIZE}); NaN otherwise
 * @param squaredDeviations the sum of squared deviations from that mean; NaN when the mean is
 * @param slots the optimizer's state, as written (not to be modified)
 * @param pending with mini-batches, the summed gradient per logit this feature received in the
 *     batch that was open when the row was written, not yet applied (empty when none)
 */
public record WeightRow(long step, double[] clock, double seen, double sumSquares, double mean,
                        double squaredDeviations, double[] slots, double[] pending) {

    /** No pending gradient (shared: rows never modify their arrays). */
    public static final double[] NONE = new double[0];

    /** A row of a feature that is not standardised. */
    public WeightRow(final long step, final double[] clock, final double seen, final double sumSquares,
                     final double[] slots) {
        this(step, clock, seen, sumSquares, Double.NaN, Double.NaN, slots, NONE);
    }

    /** Rows are equal when their numbers are: a row read from a {@link ModelRows} is a copy. */
    @Override
    public boolean equals(final Object o) {
        return o instanceof WeightRow other
                && step == other.step
                && Double.compare(seen, other.seen) == 0
                && Double.compare(sumSquares, other.sumSquares) == 0
                && Double.compare(mean, other.mean) == 0
                && Double.compare(squaredDeviations, other.squaredDeviations) == 0
                && Arrays.equals(clock, other.clock)
                && Arrays.equals(slots, other.slots)
                && Arrays.equals(pending, other.pending);
    }

    @Override
    public int hashCode() {
        return Objects.hash(step, seen, sumSquares, mean, squaredDeviations, Arrays.hashCode(clock),
                Arrays.hashCode(slots), Arrays.hashCode(pending));
    }

    @Override
    public String toString() {
        return "WeightRow[step=" + step + ", clock=" + Arrays.toString(clock) + ", seen=" + seen + ", sumSquares="
                + sumSquares + ", mean=" + mean + ", squaredDeviations=" + squaredDeviations + ", slots="
                + Arrays.toString(slots) + ", pending=" + Arrays.toString(pending) + "]";
    }

    /** The feature's normalisation scale: the root mean square of its values, or 0 before any. */
    public double scale() {
        return seen > 0 ? Math.sqrt(sumSquares / seen) : 0.0;
    }

    /**
     * Whether the feature is standardised when the model has taken {@code version} steps: it
     * has its mean and appeared in every example up to then (a row newer than the caller's
     * view of the model, as a scorer may read, counts as present).
     */
    public boolean standardizedAt(final long version) {
        return !Double.isNaN(mean) && seen == step && step >= version;
    }

    /** The population standard deviation of the feature's values (when {@link #mean} is kept). */
    public double deviation() {
        return seen > 0 ? Math.sqrt(squaredDeviations / seen) : 0.0;
    }
}
