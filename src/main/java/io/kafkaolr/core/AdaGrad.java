package io.kafkaolr.core;

/**
 * AdaGrad with a proximal penalty step: per logit the weight {@code w} and the sum {@code G} of
 * squared gradients; {@code G <- G + g^2}, {@code a = eta / (sqrt(G) + eps)},
 * {@code w <- soft(w - a g, a l1) / (1 + a l2)}. While a coordinate is absent its {@code a} is
 * fixed, so its penalised decay {@code m_i = (m_(i-1) - a l1) / (1 + a l2)} is a first-order
 * linear recurrence, caught up in closed form and clipped at zero.
 */
final class AdaGrad implements CoordinateOptimizer {
    private final double eta;
    private final double l1;
    private final double l2;

    AdaGrad(final ModelSettings settings) {
        this.eta = settings.learningRate();
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
    public void step(final double[] slots, final int off, final double g, final double eta, final double l1,
                     final double l2) {
        final double squares = slots[off + 1] + g * g;
        final double a = this.eta / (Math.sqrt(squares) + ModelSettings.ADAGRAD_EPSILON);
        slots[off] = CoordinateOptimizer.soft(slots[off] - a * g, a * l1) / (1.0 + a * l2);
        slots[off + 1] = squares;
    }

    @Override
    public void catchUp(final double[] slots, final int off, final long rowStep, final double[] rowClock,
                        final int clockOff, final long now, final double[] clock) {
        final long k = now - rowStep;
        final double w = slots[off];
        if (k <= 0 || w == 0 || (l1 == 0 && l2 == 0)) {
            return;
        }
        final double a = eta / (Math.sqrt(slots[off + 1]) + ModelSettings.ADAGRAD_EPSILON);
        // m_i = (m_(i-1) - a l1) / (1 + a l2) = r m_(i-1) - r a l1, with r = 1 - q
        final double r = 1.0 / (1.0 + a * l2);
        final double m = CoordinateOptimizer.decayed(Math.abs(w), 1.0 - r, r * a * l1, k);
        slots[off] = m > 0 ? Math.copySign(m, w) : 0.0;
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
