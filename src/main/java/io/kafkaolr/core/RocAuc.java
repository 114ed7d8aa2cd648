package io.kafkaolr.core;

import java.util.Arrays;

/** ROC AUC of scored examples: offline evaluation and the progressive window of a binary model. */
public final class RocAuc {
    private RocAuc() {
    }

    /**
     * Exact ROC AUC: the probability that a random positive scores above a random negative,
     * ties counting one half (Mann-Whitney U with mid-ranks). NaN without both classes.
     */
    public static double rocAuc(final double[] scores, final boolean[] positive) {
        final int n = scores.length;
        final Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
        double rankSumPositive = 0;
        long positives = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) {
                j++;
            }
            final double midRank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                if (positive[order[k]]) {
                    rankSumPositive += midRank;
                    positives++;
                }
            }
            i = j + 1;
        }
        final long negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        return (rankSumPositive - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
    }
}
