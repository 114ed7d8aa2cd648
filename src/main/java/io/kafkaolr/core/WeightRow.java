package io.kafkaolr.core;

/**
 * The stored weights of one feature index: one per logit (one for binary models, one per
 * class for softmax models; a row shorter than the current class count reads as zeros for
 * the classes added after it was written).
 *
 * <p>{@code logScale} is the model's cumulative L2 log-shrink when the row was written: the
 * row's current value is {@code weights * exp(model.logScale - logScale)} (lazy L2, MATH.md).
 *
 * @param weights the weights as written (not to be modified)
 * @param logScale the model's cumulative log-shrink at write time
 */
public record WeightRow(double[] weights, double logScale) {

    /** The weight of logit {@code k} as of a model whose cumulative log-shrink is {@code modelLogScale}. */
    public double current(final int k, final double modelLogScale) {
        if (k >= weights.length) {
            return 0.0;
        }
        return modelLogScale == logScale ? weights[k] : weights[k] * Math.exp(modelLogScale - logScale);
    }
}
