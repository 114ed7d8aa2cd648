package io.kafkaolr.core;

/**
 * The normalised adaptive gradient (after NAG, Ross, Mineiro and Langford 2013, "Normalized
 * online learning"): AdaGrad's per-coordinate steps, with the example's step size divided by a
 * power ({@link #NORM_POWER}) of the running mean of the examples' squared norms, so that the
 * change a step makes to a logit grows little with the number of features an example has. The per-feature
 * scale, which the paper keeps as each feature's largest value, is the model's normalisation
 * ({@link Normalization}): the norms are those of the values the model learns.
 *
 * <p>Per logit the weight {@code w} and the sum {@code G} of squared gradients. The model-wide
 * clock is {@code [L, D, N]}: {@code N} sums {@code s (1 + |v|^2)} over the examples (importance
 * {@code s}, learned values {@code v}, the bias a feature of value 1), and the step of an example
 * is {@code r = eta (T / N)^(3/4)} with {@code T} the sum of importances, this example's included.
 * A coordinate then takes {@code G <- G + g^2}, {@code w <- soft((1 - r l2) w - r g / (beta + sqrt(G)), r l1)},
 * with FTRL's {@code beta} ({@link ModelSettings#ftrlBeta()}) damping each coordinate's first steps;
 * the penalties are SGD's with step {@code r}, so {@code L} and {@code D} are SGD's accumulators
 * and an absent coordinate is caught up by SGD's closed form ({@link Sgd#decay}).
 */
final class NormalizedAdaGrad implements CoordinateOptimizer {
    /**
     * The power of the mean squared norm the step is divided by: the paper's 1/2 leaves the change
     * of a logit growing as the square root of the number of active features; 3/4 leaves it growing
     * as its fourth root, and learned better on the evaluation's dense sets at no loss on the others.
     */
    static final double NORM_POWER = 0.75;
    /** The position of {@code N} in the clock, after SGD's two accumulators. */
    static final int NORMS = 2;

    private final double eta;
    private final double beta;
    private final double l1;
    private final double l2;

    NormalizedAdaGrad(final ModelSettings settings) {
        this.eta = settings.learningRate();
        this.beta = settings.ftrlBeta();
        this.l1 = settings.l1();
        this.l2 = settings.l2();
    }

    @Override
    public int slotsPerLogit() {
        return 2;
    }

    @Override
    public double stepSize(final long t) {
        return eta;
    }

    @Override
    public double exampleStepSize(final long t, final double[] clock, final double squaredNorm,
                                  final double importance, final double weightSum) {
        final double norms = clock[NORMS] + importance * (1.0 + squaredNorm);
        clock[NORMS] = norms;
        return norms > 0 ? eta * Math.pow(weightSum / norms, NORM_POWER) : eta;
    }

    @Override
    public int rowClockLength(final int clockLength) {
        // rows keep L and D for the catch-up, and nothing when there is no penalty to catch up
        return decaysWhenAbsent() ? NORMS : 0;
    }

    @Override
    public void advanceClock(final double[] clock, final int off, final double r) {
        Sgd.advance(clock, off, r, l1, l2);
    }

    @Override
    public void step(final double[] slots, final int off, final double g, final double r, final double l1,
                     final double l2) {
        final double squares = slots[off + 1] + g * g;
        final double a = r / (beta + Math.sqrt(squares) + ModelSettings.ADAGRAD_EPSILON);
        slots[off] = CoordinateOptimizer.soft((1.0 - r * l2) * slots[off] - a * g, r * l1);
        slots[off + 1] = squares;
    }

    @Override
    public void catchUp(final double[] slots, final int off, final long rowStep, final double[] rowClock,
                        final int clockOff, final long now, final double[] clock) {
        Sgd.decay(slots, off, rowStep, rowClock, clockOff, now, clock, l1);
    }

    @Override
    public double served(final double[] slots, final int off, final long now, final double l1, final double l2) {
        return slots[off];
    }

    @Override
    public boolean catchUpIsIdentity() {
        return l1 == 0 && l2 == 0;
    }

    @Override
    public boolean decaysWhenAbsent() {
        return l1 != 0 || l2 != 0;
    }
}
