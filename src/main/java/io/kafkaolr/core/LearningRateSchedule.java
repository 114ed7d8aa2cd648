package io.kafkaolr.core;

/** How the step size {@code eta_t} of SGD and averaged SGD depends on the step number {@code t = 1, 2, ...}. */
public enum LearningRateSchedule {
    /** {@code eta_t = eta0}. */
    CONSTANT,
    /** {@code eta_t = eta0 / t^power}. */
    INVSCALING,
    /**
     * Bottou's {@code eta_t = 1 / (alpha (t0 + t - 1))} with {@code alpha = l1 + l2} and
     * {@code t0 = 1 / (alpha * alpha^(-1/4))}, so that {@code eta_1 = alpha^(-1/4)}: the choice of
     * scikit-learn's "optimal" schedule for the log loss. {@code eta0} is not used.
     */
    OPTIMAL;

    /** The step size of step {@code t >= 1}; {@code alpha} is used by {@link #OPTIMAL} only. */
    public double rate(final double eta0, final double power, final double alpha, final long t) {
        return switch (this) {
            case CONSTANT -> eta0;
            case INVSCALING -> eta0 / Math.pow(t, power);
            case OPTIMAL -> 1.0 / (alpha * (optimalOffset(alpha) + t - 1));
        };
    }

    /** The largest step size of the schedule (its first). */
    public double firstRate(final double eta0, final double alpha) {
        return this == OPTIMAL ? Math.pow(alpha, -0.25) : eta0;
    }

    private static double optimalOffset(final double alpha) {
        return 1.0 / (alpha * Math.pow(alpha, -0.25));
    }
}
