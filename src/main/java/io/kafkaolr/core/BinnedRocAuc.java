package io.kafkaolr.core;

/**
 * ROC AUC in constant memory: a histogram of the scores' logits, positives and negatives apart,
 * in {@value #BINS} bins of equal width over [-{@value #LOGIT_RANGE}, +{@value #LOGIT_RANGE}]
 * (about 0.0006 wide: around 0.5, a bin holds probabilities within 0.00015 of each other);
 * logits beyond the range fall into the end bins. The AUC is that of {@link RocAuc} with every pair of
 * a positive and a negative in the same bin counted as a tie, one half.
 *
 * <p>The bin is a non-decreasing function of the probability, so a pair in different bins is
 * ordered as the exact AUC orders it: only pairs within a bin can differ, each by at most one
 * half. Hence {@code |auc() - exact| <= errorBound()}, half the share of positive-negative pairs
 * that share a bin; the bound is computed from the same histogram. Exact ties (every score
 * equal, as an untrained model's) are counted one half by both.
 *
 * <p>Two arrays of {@value #BINS} longs (2 MiB), whatever the number of scores added; they are
 * allocated by the first {@link #add}.
 */
public final class BinnedRocAuc {
    /** Bins of the logit. */
    public static final int BINS = 1 << 17;
    /**
     * The logits binned finely: [-40, 40]. A probability under 1 is at most 1 - 2^-53, a logit
     * of 36.7, so the top end loses nothing; probabilities under 4e-18 share the first bin.
     */
    public static final double LOGIT_RANGE = 40;

    private static final double BINS_PER_LOGIT = BINS / (2 * LOGIT_RANGE);

    private long[] positives;
    private long[] negatives;
    private long positiveCount;
    private long negativeCount;

    /** Adds a score: the model's probability of the positive class. */
    public void add(final double probability, final boolean positive) {
        final int bin = bin(probability);
        if (positives == null) {
            positives = new long[BINS];
            negatives = new long[BINS];
        }
        if (positive) {
            positives[bin]++;
            positiveCount++;
        } else {
            negatives[bin]++;
            negativeCount++;
        }
    }

    /** Scores added. */
    public long count() {
        return positiveCount + negativeCount;
    }

    /**
     * The ROC AUC of the scores added, pairs within a bin counted one half; NaN without both
     * classes.
     */
    public double auc() {
        if (positiveCount == 0 || negativeCount == 0) {
            return Double.NaN;
        }
        double wins = 0;
        long negativesBelow = 0;
        for (int b = 0; b < BINS; b++) {
            wins += positives[b] * ((double) negativesBelow + 0.5 * negatives[b]);
            negativesBelow += negatives[b];
        }
        return wins / ((double) positiveCount * negativeCount);
    }

    /**
     * The most {@link #auc()} can differ from the exact ROC AUC of the same scores: half the share
     * of positive-negative pairs that fall in one bin. NaN without both classes.
     */
    public double errorBound() {
        if (positiveCount == 0 || negativeCount == 0) {
            return Double.NaN;
        }
        double shared = 0;
        for (int b = 0; b < BINS; b++) {
            shared += (double) positives[b] * negatives[b];
        }
        return 0.5 * shared / ((double) positiveCount * negativeCount);
    }

    /**
     * The bin of a probability: its logit's, clamped to the end bins. Non-decreasing in the
     * probability (division and {@link Math#log} are semi-monotonic); NaN goes last, where
     * {@link Double#compare} puts it.
     */
    static int bin(final double probability) {
        if (Double.isNaN(probability)) {
            return BINS - 1;
        }
        final double logit = Math.log(probability / (1 - probability));
        final double position = (logit + LOGIT_RANGE) * BINS_PER_LOGIT;
        if (!(position > 0)) {
            return 0;
        }
        return position >= BINS ? BINS - 1 : (int) position;
    }
}
