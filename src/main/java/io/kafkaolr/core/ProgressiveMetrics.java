package io.kafkaolr.core;

/**
 * Running progressive-validation metrics of one model: every example is scored before the
 * model learns from it. Loss and accuracy are weighted by importance (equal to the plain
 * means when every importance is 1).
 *
 * @param examples examples learned
 * @param weightSum sum of importances
 * @param lossSum importance-weighted sum of log losses
 * @param correctWeight importance-weighted count of examples whose predicted label was right
 */
public record ProgressiveMetrics(long examples, double weightSum, double lossSum, double correctWeight) {
    /** No examples yet. */
    public static final ProgressiveMetrics EMPTY = new ProgressiveMetrics(0, 0, 0, 0);

    /**
     * These metrics with one more example.
     *
     * @throws RejectedInputException {@link RejectReason#NUMERIC_OVERFLOW} if a sum would not be finite
     */
    public ProgressiveMetrics plus(final double logLoss, final boolean correct, final double importance) {
        final ProgressiveMetrics next = new ProgressiveMetrics(examples + 1, weightSum + importance,
                lossSum + importance * logLoss, correctWeight + (correct ? importance : 0.0));
        if (!Double.isFinite(next.weightSum) || !Double.isFinite(next.lossSum)) {
            // an importance near Double.MAX_VALUE: the sums would stay infinite forever
            throw new RejectedInputException(RejectReason.NUMERIC_OVERFLOW, "the progressive metrics' importance-"
                    + "weighted sums would overflow (importance " + importance + "); the model is left unchanged");
        }
        return next;
    }

    /** Mean progressive log loss (NaN before any weighted example). */
    public double meanLogLoss() {
        return lossSum / weightSum;
    }

    /** Progressive accuracy (NaN before any weighted example). */
    public double accuracy() {
        return correctWeight / weightSum;
    }
}
