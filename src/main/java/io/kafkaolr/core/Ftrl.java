package io.kafkaolr.core;

/**
 * FTRL-Proximal (McMahan et al. 2013): per logit {@code z} and {@code n}, the sum of squared
 * gradients. {@code sigma = (sqrt(n + g^2) - sqrt(n)) / alpha}, {@code z <- z + g - sigma w},
 * {@code n <- n + g^2}; the weight is 0 while {@code |z| <= l1} (exact zeros: a sparse model),
 * {@code -(z - sign(z) l1) / ((beta + sqrt(n)) / alpha + l2)} otherwise. The weight is a function
 * of {@code (z, n)}, which only a gradient changes: an absent coordinate has nothing to catch up.
 */
final class Ftrl implements CoordinateOptimizer {
    private final double alpha;
    private final double beta;

    Ftrl(final ModelSettings settings) {
        this.alpha = settings.learningRate();
        this.beta = settings.ftrlBeta();
    }

    @Override
    public int slotsPerLogit() {
        return 2;
    }

    @Override
    public double stepSize(final long t) {
        return alpha;
    }

    @Override
    public void step(final double[] slots, final int off, final double g, final double eta, final double l1,
                     final double l2) {
        final double z = slots[off];
        final double n = slots[off + 1];
        final double w = weight(z, n, l1, l2);
        final double sigma = (Math.sqrt(n + g * g) - Math.sqrt(n)) / alpha;
        slots[off] = z + g - sigma * w;
        slots[off + 1] = n + g * g;
    }

    @Override
    public void catchUp(final double[] slots, final int off, final long rowStep, final double[] rowClock,
                        final int clockOff, final long now, final double[] clock) {
    }

    @Override
    public double served(final double[] slots, final int off, final long now, final double l1, final double l2) {
        return weight(slots[off], slots[off + 1], l1, l2);
    }

    @Override
    public boolean catchUpIsIdentity() {
        return true;
    }

    @Override
    public boolean decaysWhenAbsent() {
        return false;
    }

    private double weight(final double z, final double n, final double l1, final double l2) {
        if (Math.abs(z) <= l1) {
            return 0.0;
        }
        return -(z - Math.copySign(l1, z)) / ((beta + Math.sqrt(n)) / alpha + l2);
    }
}
