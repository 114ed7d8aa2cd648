package io.kafkaolr.core;

/** Numerically stable link functions and losses (see docs/MATH.md). */
public final class Numerics {
    private Numerics() {
    }

    /** {@code 1 / (1 + exp(-z))} without overflow for any finite {@code z}. */
    public static double sigmoid(final double z) {
        if (z >= 0) {
            return 1.0 / (1.0 + Math.exp(-z));
        }
        final double e = Math.exp(z);
        return e / (1.0 + e);
    }

    /** {@code log(1 + exp(z))}, finite for every finite {@code z}. */
    public static double softplus(final double z) {
        return Math.max(z, 0.0) + Math.log1p(Math.exp(-Math.abs(z)));
    }

    /** Binary cross-entropy {@code softplus(z) - y z} of a logit and a 0/1 label. */
    public static double binaryLogLoss(final double z, final int y) {
        return softplus(z) - y * z;
    }

    /** {@code log(sum_k exp(z_k))}, shifted by the maximum so it never overflows. */
    public static double logSumExp(final double[] z, final int length) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < length; k++) {
            max = Math.max(max, z[k]);
        }
        double sum = 0.0;
        for (int k = 0; k < length; k++) {
            sum += Math.exp(z[k] - max);
        }
        return max + Math.log(sum);
    }

    /** Writes {@code softmax(z)} into {@code p} (may be the same array), shifted by the maximum. */
    public static void softmax(final double[] z, final double[] p, final int length) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < length; k++) {
            max = Math.max(max, z[k]);
        }
        double sum = 0.0;
        for (int k = 0; k < length; k++) {
            p[k] = Math.exp(z[k] - max);
            sum += p[k];
        }
        for (int k = 0; k < length; k++) {
            p[k] /= sum;
        }
    }
}
