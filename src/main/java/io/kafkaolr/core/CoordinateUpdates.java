package io.kafkaolr.core;

/**
 * The per-coordinate arithmetic of each {@link Optimizer}: one step on a coordinate the example
 * touches, and the closed-form catch-up of one it did not touch for {@code k} steps (zero
 * gradient, regularisation only), which equals applying those {@code k} eager steps one by one.
 *
 * <p>Eager steps, with {@code soft(v, c) = sign(v) max(|v| - c, 0)}:
 * <ul>
 *   <li>SGD and the iterate of averaged SGD: {@code w <- soft((1 - eta_t l2) w - eta_t g, eta_t l1)};</li>
 *   <li>AdaGrad: {@code G += g^2}, {@code a = eta / (sqrt(G) + eps)},
 *       {@code w <- soft(w - a g, a l1) / (1 + a l2)};</li>
 *   <li>FTRL-Proximal: as docs/MATH.md; an untouched coordinate's state does not change.</li>
 * </ul>
 * SGD's catch-up uses two model-wide accumulators (its "clock"): {@code L_t = sum log(1 - eta_s l2)}
 * and {@code D_t = (1 - eta_t l2) D_(t-1) + eta_t l1}, the L1 shrink of steps up to {@code t}
 * discounted to step {@code t}. An untouched weight then satisfies
 * {@code |w_t| = max(0, |w_t0| e^(L_t - L_t0) - (D_t - D_t0 e^(L_t - L_t0)))}: no quantity grows
 * without bound, however long the stream.
 */
final class CoordinateUpdates {
    private CoordinateUpdates() {
    }

    /** The model-wide accumulators after step {@code t}, whose step size is {@code eta}. */
    static double[] advanceClock(final ModelSettings s, final double[] clock, final double eta) {
        if (s.optimizer() != Optimizer.SGD) {
            return clock;
        }
        final double shrink = 1.0 - eta * s.l2();
        final double logScale = s.l2() == 0 ? clock[0] : clock[0] + Math.log(shrink);
        final double discountedL1 = s.l1() == 0 ? clock[1] : shrink * clock[1] + eta * s.l1();
        return new double[] {logScale, discountedL1};
    }

    /**
     * Brings one logit's slots (at {@code off}) from the row's step to the model's step {@code now}:
     * the regularisation of the steps in between, in which the feature was absent.
     */
    static void catchUp(final ModelSettings s, final double[] slots, final int off, final long rowStep,
                        final double[] rowClock, final long now, final double[] clock) {
        final long k = now - rowStep;
        switch (s.optimizer()) {
            case SGD -> {
                final double w = slots[off];
                // a row newer than the caller's model (a scorer's copy between two updates) is current
                if (w == 0 || k <= 0 || (rowClock[0] == clock[0] && rowClock[1] == clock[1])) {
                    return;
                }
                final double ratio = Math.exp(clock[0] - rowClock[0]);
                if (s.l1() == 0) {
                    slots[off] = w * ratio;
                } else {
                    final double m = Math.abs(w) * ratio - (clock[1] - rowClock[1] * ratio);
                    slots[off] = m > 0 ? Math.copySign(m, w) : 0.0;
                }
            }
            case ASGD -> {
                if (k <= 0) {
                    return;
                }
                final double w = slots[off];
                if (s.l1() == 0 && s.l2() == 0) {
                    slots[off + 1] += w * k;
                    return;
                }
                // constant schedule (checked by the settings): m_i = a m_(i-1) - c, clipped at 0
                final double eta = s.learningRate();
                final double q = eta * s.l2();
                final double m = Math.abs(w);
                final double c = eta * s.l1();
                final long positive = positiveSteps(m, q, c, k);
                slots[off] = positive == k ? Math.copySign(decayed(m, q, c, k), w) : 0.0;
                slots[off + 1] += Math.copySign(decayedSum(m, q, c, positive), w);
            }
            case ADAGRAD -> {
                final double w = slots[off];
                if (k <= 0 || w == 0 || (s.l1() == 0 && s.l2() == 0)) {
                    return;
                }
                final double a = s.learningRate() / (Math.sqrt(slots[off + 1]) + ModelSettings.ADAGRAD_EPSILON);
                // m_i = (m_(i-1) - a l1) / (1 + a l2) = r m_(i-1) - r a l1, with r = 1 - q
                final double r = 1.0 / (1.0 + a * s.l2());
                final double m = decayed(Math.abs(w), 1.0 - r, r * a * s.l1(), k);
                slots[off] = m > 0 ? Math.copySign(m, w) : 0.0;
            }
            case FTRL, RLS -> {
                // FTRL's weight is a function of (z, n), which only a gradient changes; RLS rewrites every row
            }
        }
    }

    /** One step on a coordinate caught up to the previous step, with gradient {@code g}. */
    static void step(final ModelSettings s, final double[] slots, final int off, final double g, final double eta,
                     final double l1, final double l2) {
        switch (s.optimizer()) {
            case SGD -> slots[off] = soft((1.0 - eta * l2) * slots[off] - eta * g, eta * l1);
            case ASGD -> {
                slots[off] = soft((1.0 - eta * l2) * slots[off] - eta * g, eta * l1);
                slots[off + 1] += slots[off];
            }
            case ADAGRAD -> {
                final double squares = slots[off + 1] + g * g;
                final double a = s.learningRate() / (Math.sqrt(squares) + ModelSettings.ADAGRAD_EPSILON);
                slots[off] = soft(slots[off] - a * g, a * l1) / (1.0 + a * l2);
                slots[off + 1] = squares;
            }
            case FTRL -> {
                final double z = slots[off];
                final double n = slots[off + 1];
                final double w = ftrlWeight(s, z, n, l1, l2);
                final double sigma = (Math.sqrt(n + g * g) - Math.sqrt(n)) / s.learningRate();
                slots[off] = z + g - sigma * w;
                slots[off + 1] = n + g * g;
            }
            case RLS -> throw new IllegalStateException("recursive least squares takes no gradient steps");
        }
    }

    /** The weight the model serves from one logit's slots, caught up to step {@code now}. */
    static double served(final ModelSettings s, final double[] slots, final int off, final long now,
                         final double l1, final double l2) {
        return switch (s.optimizer()) {
            case SGD, ADAGRAD, RLS -> slots[off];
            case ASGD -> now == 0 ? slots[off] : slots[off + 1] / now;
            case FTRL -> ftrlWeight(s, slots[off], slots[off + 1], l1, l2);
        };
    }

    /** The current iterate (the point where averaged SGD takes its gradient; the served weight otherwise). */
    static double iterate(final ModelSettings s, final double[] slots, final int off, final long now,
                          final double l1, final double l2) {
        return s.optimizer() == Optimizer.ASGD ? slots[off] : served(s, slots, off, now, l1, l2);
    }

    private static double ftrlWeight(final ModelSettings s, final double z, final double n, final double l1,
                                     final double l2) {
        if (Math.abs(z) <= l1) {
            return 0.0;
        }
        return -(z - Math.copySign(l1, z)) / ((s.ftrlBeta() + Math.sqrt(n)) / s.learningRate() + l2);
    }

    static double soft(final double v, final double threshold) {
        if (threshold == 0) {
            return v;
        }
        return v > threshold ? v - threshold : v < -threshold ? v + threshold : 0.0;
    }

    // The magnitude of a weight regularised with no gradient, m_i = (1 - q) m_(i-1) - c from
    // m_0 = m, before clipping at zero, in closed form (static: called per coordinate per record).

    /** {@code m_i}, unclipped. */
    private static double decayed(final double m, final double q, final double c, final long i) {
        if (q == 0) {
            return m - i * c;
        }
        final double power = Math.exp(i * Math.log1p(-q));
        return power * m - c * (1.0 - power) / q;
    }

    /** The number of steps among the first {@code k} after which the magnitude is still positive. */
    private static long positiveSteps(final double m, final double q, final double c, final long k) {
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
    private static double decayedSum(final double m, final double q, final double c, final long i) {
        if (q == 0) {
            return i * m - c * (double) i * (i + 1) / 2.0;
        }
        final double power = Math.exp(i * Math.log1p(-q));
        final double geometric = (1.0 - q) * (1.0 - power) / q; // (1-q) + ... + (1-q)^i
        return m * geometric - c / q * (i - geometric);
    }
}
