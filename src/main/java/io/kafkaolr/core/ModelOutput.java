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
 */
public record ModelOutput(List<String> classes, double[] probabilities, int predicted, double logit, long version) {

    /** The most probable label. */
    public String predictedLabel() {
        return classes.get(predicted);
    }
}
