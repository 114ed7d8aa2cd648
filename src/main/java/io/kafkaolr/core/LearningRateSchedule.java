package io.kafkaolr.core;

/** How the step size {@code eta_t} depends on the step number {@code t = 1, 2, ...}. */
public enum LearningRateSchedule {
    /** {@code eta_t = eta0}. */
    CONSTANT,
    /** {@code eta_t = eta0 / t^power}. */
    INVSCALING;

    /** The step size of step {@code t >= 1}. */
    public double rate(final double eta0, final double power, final long t) {
        return switch (this) {
            case CONSTANT -> eta0;
            case INVSCALING -> eta0 / Math.pow(t, power);
        };
    }
}
