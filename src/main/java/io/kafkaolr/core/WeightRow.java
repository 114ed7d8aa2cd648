package io.kafkaolr.core;

/**
 * The stored state of one feature index of one model: what its optimizer keeps per logit,
 * the running statistics of the feature's values (for normalisation), and when it was last
 * written (for the lazy catch-up of regularisation, MATH.md).
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
 * @param slots the optimizer's state, as written (not to be modified)
 */
public record WeightRow(long step, double[] clock, double seen, double sumSquares, double[] slots) {

    /** The feature's normalisation scale: the root mean square of its values, or 0 before any. */
    public double scale() {
        return seen > 0 ? Math.sqrt(sumSquares / seen) : 0.0;
    }
}
