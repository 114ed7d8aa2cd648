package io.kafkaolr.core;

/**
 * SGD with the model's step-size schedule: {@code w <- soft((1 - eta_t l2) w - eta_t g, eta_t l1)}.
 *
 * <p>Its lazy catch-up uses two model-wide accumulators (its "clock"):
 * {@code L_t = sum log(1 - eta_s l2)} and {@code D_t = (1 - eta_t l2) D_(t-1) + eta_t l1}, the L1
 * shrink of the steps up to {@code t} discounted to step {@code t}. An untouched weight then
 * satisfies {@code |w_t| = max(0, |w_t0| e^(L_t - L_t0) - (D_t - D_t0 e^(L_t - L_t0)))}: no
 * quantity grows without bound, however long the stream.
 */
final class Sgd implements CoordinateOptimizer {
    private final ModelSettings settings;
    private final double l1;
    private final double l2;

    Sgd(final ModelSettings settings) {
        this.settings = settings;
        this.l1 = settings.l1();
        this.l2 = settings.l2();
    }

    @Override
    public int slotsPerLogit() {
        return 1;
    }

    @Override
    public double stepSize(final long t) {
        return settings.rate(t);
    }

    @Override
    public void advanceClock(final double[] clock, final int off, final double eta) {
        advance(clock, off, eta, l1, l2);
    }

    /** Advances {@code L} and {@code D} at {@code clock[off..]} over a step of size {@code eta}. */
    static void advance(final double[] clock, final int off, final double eta, final double l1, final double l2) {
        final double shrink = 1.0 - eta * l2;
        if (l2 != 0) {
            clock[off] = clock[off] + Math.log(shrink);
        }
        if (l1 != 0) {
            clock[off + 1] = shrink * clock[off + 1] + eta * l1;
        }
    }

    @Override
    public void step(final double[] slots, final int off, final double g, final double eta, final double l1,
                     final double l2) {
        slots[off] = CoordinateOptimizer.soft((1.0 - eta * l2) * slots[off] - eta * g, eta * l1);
    }

    @Override
    public void catchUp(final double[] slots, final int off, final long rowStep, final double[] rowClock,
                        final int clockOff, final long now, final double[] clock) {
        decay(slots, off, rowStep, rowClock, clockOff, now, clock, l1);
    }

    /** The closed-form catch-up of a weight from the accumulators {@code L}, {@code D} of its row to the model's. */
    static void decay(final double[] slots, final int off, final long rowStep, final double[] rowClock,
                      final int clockOff, final long now, final double[] clock, final double l1) {
        final double w = slots[off];
        final double rowLogScale = rowClock[clockOff];
        final double rowShrink = rowClock[clockOff + 1];
        // a row newer than the caller's model (a scorer's copy between two updates) is current
        if (w == 0 || now - rowStep <= 0 || (rowLogScale == clock[0] && rowShrink == clock[1])) {
            return;
        }
        final double ratio = Math.exp(clock[0] - rowLogScale);
        if (l1 == 0) {
            slots[off] = w * ratio;
        } else {
            final double m = Math.abs(w) * ratio - (clock[1] - rowShrink * ratio);
            slots[off] = m > 0 ? Math.copySign(m, w) : 0.0;
        }
    }

    @Override
    public double served(final double[] slots, final int off, final long now, final double l1, final double l2) {
        return slots[off];
    }

    @Override
    public boolean decaysWhenAbsent() {
        return l1 != 0 || l2 != 0;
    }
}
