package io.kafkaolr.core;

/**
 * Averaged SGD (Polyak-Ruppert): per logit the iterate {@code w}, which takes SGD's steps, and
 * the sum {@code S} of its values after each step; the model serves {@code S / t}. With a
 * penalty the schedule is constant (the settings check it), and both the iterate's decay and the
 * sum of its values over the steps a coordinate is absent have a closed form, including the step
 * where the magnitude reaches zero.
 */
final class AveragedSgd implements CoordinateOptimizer {
    private final ModelSettings settings;
    private final double eta;
    private final double l1;
    private final double l2;

    AveragedSgd(final ModelSettings settings) {
        this.settings = settings;
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
        return settings.rate(t);
    }

    @Override
    public void step(final double[] slots, final int off, final double g, final double eta, final double l1,
                     final double l2) {
        slots[off] = CoordinateOptimizer.soft((1.0 - eta * l2) * slots[off] - eta * g, eta * l1);
        slots[off + 1] += slots[off];
    }

    @Override
    public void catchUp(final double[] slots, final int off, final long rowStep, final double[] rowClock,
                        final int clockOff, final long now, final double[] clock) {
        final long k = now - rowStep;
        if (k <= 0) {
            return;
        }
        final double w = slots[off];
        if (l1 == 0 && l2 == 0) {
            slots[off + 1] += w * k;
            return;
        }
        // constant schedule: m_i = (1 - q) m_(i-1) - c, clipped at 0
        final double q = eta * l2;
        final double m = Math.abs(w);
        final double c = eta * l1;
        final long positive = CoordinateOptimizer.positiveSteps(m, q, c, k);
        slots[off] = positive == k ? Math.copySign(CoordinateOptimizer.decayed(m, q, c, k), w) : 0.0;
        slots[off + 1] += Math.copySign(CoordinateOptimizer.decayedSum(m, q, c, positive), w);
    }

    @Override
    public double served(final double[] slots, final int off, final long now, final double l1, final double l2) {
        return now == 0 ? slots[off] : slots[off + 1] / now;
    }

    @Override
    public double iterate(final double[] slots, final int off, final long now, final double l1, final double l2) {
        return slots[off];
    }

    @Override
    public boolean decaysWhenAbsent() {
        // the average moves towards the (unchanged) iterate on every step
        return true;
    }
}
