package io.kafkaolr.core;

import java.util.List;

/**
 * A model's answer for one feature vector.
 *
 * @param classes the class labels, in the model's order
 * @param probabilities the probability of each class, same order; they sum to 1
 * @param predicted the index of the most probable class (the first on ties)
 * @param logit for binary models the log-odds of the positive class; NaN for softmax models
 * @param version the number of updates the model had applied
 * @param logits the raw scores: one for binary models (the logit), one per class for softmax
 */
public record ModelOutput(List<String> classes, double[] probabilities, int predicted, double logit, long version,
                          double[] logits) {

    /**
     * The log loss of this answer if the true class is {@code label}, computed from the logits
     * so that a confidently wrong answer costs its margin, never infinity.
     */
    public double logLoss(final int label) {
        return logits.length == 1 && classes.size() == 2
                ? Numerics.binaryLogLoss(logits[0], label)
                : Numerics.logSumExp(logits, logits.length) - logits[label];
    }

    /** The most probable label. */
    public String predictedLabel() {
        return classes.get(predicted);
    }
}
