package io.kafkaolr.core;

/**
 * The per-coordinate arithmetic of a gradient {@link Optimizer} (docs/MATH.md, "One step"):
 * one step on a coordinate the example touches, the closed-form catch-up of one it did not
 * touch (zero gradient, regularisation only, equal to applying those eager steps one by one),
 * and the weight the model serves from a coordinate's state.
 *
 * <p>A coordinate of one logit is {@link #slotsPerLogit()} consecutive numbers of a
 * {@code double[]} from an offset, so that the caller keeps every row in flat primitive arrays
 * and no step allocates. The penalties are passed in, because the bias takes the same steps
 * unpenalised.
 */
interface CoordinateOptimizer {

    /** The optimizer of a model's settings ({@link Optimizer#RLS} has none: it takes no gradient steps). */
    static CoordinateOptimizer of(final ModelSettings s) {
        return switch (s.optimizer()) {
            case SGD -> new Sgd(s);
            case ASGD -> new AveragedSgd(s);
            case ADAGRAD -> new AdaGrad(s);
            case FTRL -> new Ftrl(s);
            case NAG -> new NormalizedAdaGrad(s);
            case RLS -> null;
        };
    }

    /** Numbers of state per (coordinate, logit). */
    int slotsPerLogit();

    /** The step size of step {@code t >= 1}. */
    double stepSize(long t);

    /**
     * The step size of step {@code t >= 1} taken on an example whose learned values have squared
     * norm {@code squaredNorm}, of importance {@code importance}, with {@code weightSum} the sum
     * of importances so far, this example's included; it may advance accumulators of the norms in
     * {@code clock} (the model's next clock). {@link #stepSize(long)} unless the optimizer
     * normalises its steps by the examples' norms.
     */
    default double exampleStepSize(final long t, final double[] clock, final double squaredNorm,
                                   final double importance, final double weightSum) {
        return stepSize(t);
    }

    /** How many of the model's {@code clockLength} accumulators each row keeps for its catch-up. */
    default int rowClockLength(final int clockLength) {
        return clockLength;
    }

    /**
     * Advances the model-wide accumulators at {@code clock[off..]} over one step of size
     * {@code eta}, in place (only SGD keeps any).
     */
    default void advanceClock(final double[] clock, final int off, final double eta) {
    }

    /** One step on a coordinate caught up to the previous step, with gradient {@code g}. */
    void step(double[] slots, int off, double g, double eta, double l1, double l2);

    /**
     * Brings one logit's state (at {@code slots[off]}) from step {@code rowStep}, when the
     * accumulators were {@code rowClock[clockOff..]}, to step {@code now}, when they are
     * {@code clock}: the regularisation of the steps in which the coordinate was absent.
     */
    void catchUp(double[] slots, int off, long rowStep, double[] rowClock, int clockOff, long now, double[] clock);

    /** The weight the model serves from one logit's state, caught up to step {@code now}. */
    double served(double[] slots, int off, long now, double l1, double l2);

    /** The point where the gradient is taken: the served weight, except for averaged SGD's iterate. */
    default double iterate(final double[] slots, final int off, final long now, final double l1, final double l2) {
        return served(slots, off, now, l1, l2);
    }

    /**
     * Whether a coordinate's served weight can change on steps where it is absent (so a row
     * written before the model's last step must be caught up before it is read).
     */
    boolean decaysWhenAbsent();

    /** Whether {@link #catchUp} never changes a state, whatever the steps and clocks (a shortcut for readers). */
    default boolean catchUpIsIdentity() {
        return false;
    }

    /** The proximal operator of the L1 norm: {@code sign(v) max(|v| - threshold, 0)}. */
    static double soft(final double v, final double threshold) {
        if (threshold == 0) {
            return v;
        }
        return v > threshold ? v - threshold : v < -threshold ? v + threshold : 0.0;
    }

    // The magnitude of a weight regularised with no gradient, m_i = (1 - q) m_(i-1) - c from
    // m_0 = m, before clipping at zero, in closed form (AdaGrad's and averaged SGD's catch-up).

    /** {@code m_i}, unclipped. */
    static double decayed(final double m, final double q, final double c, final long i) {
        if (q == 0) {
            return m - i * c;
        }
        final double power = Math.exp(i * Math.log1p(-q));
        return power * m - c * (1.0 - power) / q;
    }

    /** The number of steps among the first {@code k} after which the magnitude is still positive. */
    static long positiveSteps(final double m, final double q, final double c, final long k) {
        if (c == 0 || decayed(m, q, c, k) > 0) {
            return m > 0 ? k : 0;
        }
        // the sequence decreases: estimate the crossing, then settle it on the computed values
        final double estimate = q == 0 ? m / c : Math.log(c / (q * m + c)) / Math.log1p(-q);
        long i = Math.max(0, Math.min(k, (long) Math.ceil(estimate) - 1));
        while (i > 0 && decayed(m, q, c, i) <= 0) {
            i--;
        }
        while (i < k && decayed(m, q, c, i + 1) > 0) {
            i++;
        }
        return i;
    }

    /** {@code m_1 + ... + m_i}. */
    static double decayedSum(final double m, final double q, final double c, final long i) {
        if (q == 0) {
            return i * m - c * (double) i * (i + 1) / 2.0;
        }
        final double power = Math.exp(i * Math.log1p(-q));
        final double geometric = (1.0 - q) * (1.0 - power) / q; // (1-q) + ... + (1-q)^i
        return m * geometric - c / q * (i - geometric);
    }
}
