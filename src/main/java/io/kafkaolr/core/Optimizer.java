package io.kafkaolr.core;

/**
 * How a model's weights move on each example (docs/MATH.md, "One step"). Every
 * optimizer applies L1 and L2 to the feature weights (never to the bias) and is lazy: a weight
 * is caught up only when its feature appears, to the value the eager computation (every weight
 * regularised at every step) would give.
 */
public enum Optimizer {
    /** Plain SGD with the model's schedule; proximal (truncated) L1, multiplicative L2. */
    SGD(1, 2),
    /**
     * Averaged SGD (Polyak-Ruppert): the iterates are SGD's, the model served (and scored by
     * progressive validation) is their running mean. Penalties need the constant schedule, for
     * which the lazy catch-up of the mean has a closed form.
     */
    ASGD(2, 0),
    /** AdaGrad: per-coordinate steps {@code eta / (sqrt(G_j) + eps)}, with a proximal L1/L2 step. */
    ADAGRAD(2, 0),
    /** FTRL-Proximal (McMahan et al. 2013): per-coordinate state {@code (z, n)}; L1 gives exact zeros. */
    FTRL(2, 0),
    /**
     * Not a gradient method: docs/MATH.md's second trainer, least squares on clipped logit labels,
     * streamed by recursive least squares ({@link LogitLeastSquares}); {@code l2} is its ridge.
     * O(d^2) per example in the number of features d the model has seen, so only for dense inputs
     * of modest dimension ({@link ModelSettings#maxDimension()}).
     */
    RLS(1, 0),
    /**
     * The normalised adaptive gradient (after Ross, Mineiro and Langford 2013), the default:
     * AdaGrad's per-coordinate steps with each example's step divided by the running mean squared
     * norm of the examples to the power 3/4, so that a step grows little with the number of active
     * features; the scale of each feature is the model's normalisation. Clock: SGD's two
     * accumulators for the penalties' catch-up, then the sum of the norms. No mini-batches.
     */
    NAG(2, 3);

    private final int slotsPerLogit;
    private final int clockSize;

    Optimizer(final int slotsPerLogit, final int clockSize) {
        this.slotsPerLogit = slotsPerLogit;
        this.clockSize = clockSize;
    }

    /** Number of stored numbers per (feature, logit): the weight and the optimizer's state. */
    public int slotsPerLogit() {
        return slotsPerLogit;
    }

    /** Number of model-wide accumulators a lazy catch-up needs (kept in the header and in each row). */
    public int clockSize() {
        return clockSize;
    }
}
