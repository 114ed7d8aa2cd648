package io.kafkaolr.core;

/**
 * The log loss of a model type as a function of its logits (docs/MATH.md): the probabilities
 * it predicts, the loss of a label, and the gradient with respect to each logit, each written
 * into the caller's buffer so that a step allocates nothing.
 */
enum Loss {
    /** One logit {@code z}: {@code p = sigmoid(z)}, {@code L = softplus(z) - y z}, {@code dL/dz = p - y}. */
    BINARY {
        @Override
        int probabilities(final double[] z, final int logits, final double[] p) {
            // each side from its own sigmoid: no cancellation in 1 - p for confident predictions
            p[0] = Numerics.sigmoid(-z[0]);
            p[1] = Numerics.sigmoid(z[0]);
            return 2;
        }

        @Override
        double logLoss(final double[] z, final int logits, final int y) {
            return Numerics.binaryLogLoss(z[0], y);
        }

        @Override
        void gradient(final double[] p, final int logits, final int y, final double importance, final double[] g) {
            g[0] = importance * (p[1] - y);
        }
    },
    /** A logit per class: {@code p = softmax(z)}, {@code L = logsumexp(z) - z_y}, {@code dL/dz_k = p_k - [k = y]}. */
    SOFTMAX {
        @Override
        int probabilities(final double[] z, final int logits, final double[] p) {
            Numerics.softmax(z, p, logits);
            return logits;
        }

        @Override
        double logLoss(final double[] z, final int logits, final int y) {
            return Numerics.logSumExp(z, logits) - z[y];
        }

        @Override
        void gradient(final double[] p, final int logits, final int y, final double importance, final double[] g) {
            for (int k = 0; k < logits; k++) {
                g[k] = importance * (p[k] - (k == y ? 1.0 : 0.0));
            }
        }
    };

    /** The loss of a model type. */
    static Loss of(final ModelType type) {
        return type == ModelType.BINARY ? BINARY : SOFTMAX;
    }

    /** Writes the probability of each class into {@code p}; returns the number of classes. */
    abstract int probabilities(double[] z, int logits, double[] p);

    /** The loss of label {@code y}, from the logits, so that a confidently wrong answer costs its margin. */
    abstract double logLoss(double[] z, int logits, int y);

    /** Writes {@code importance * dL/dz_k} into {@code g[k]} for each logit. */
    abstract void gradient(double[] p, int logits, int y, double importance, double[] g);

    /** The index of the most probable class, the first on ties. */
    static int predicted(final double[] p, final int classes) {
        int best = 0;
        for (int k = 1; k < classes; k++) {
            if (p[k] > p[best]) {
                best = k;
            }
        }
        return best;
    }
}
